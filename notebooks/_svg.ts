/**
 * A static SVG of a Plotly figure spec, for notebook viewers without a Plotly renderer.
 */

function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A static SVG picture of `figure` (title only for now). */
export function figureSvg(figure: { data: unknown[]; layout: Record<string, unknown> }): string {
  const title = (figure.layout.title as { text?: string } | undefined)?.text ?? "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40"><text x="10" y="25">${
    esc(title)
  }</text></svg>`;
}
