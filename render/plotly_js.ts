/** plotly.js as the report's page embeds it, for its interactive figures. */

/** The text of plotly.js, from the pinned npm package. */
export function plotlySource(): Promise<string> {
  return Deno.readTextFile(
    new URL("../node_modules/plotly.js-dist-min/plotly.min.js", import.meta.url),
  );
}
