/**
 * Text for the SVG renderer: coordinates and numbers as short, stable strings, and the width a
 * label takes. No browser measures text here, so widths are estimated from per-character
 * advances a little wider than the printed font's: DejaVu Sans, what Debian's fontconfig gives
 * for "Helvetica, Arial, sans-serif" where neither is installed, and wider than both. A label
 * given room by this estimate fits in either font.
 */
import { escapeHtml } from "./html.ts";

/**
 * Characters XML 1.0 allows in no form, not even escaped (C0 controls but tab and line breaks,
 * U+FFFE, U+FFFF, unpaired surrogates): one in a dataset's string would make the whole file
 * unreadable.
 */
const NOT_XML =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text or an attribute value made safe for SVG (XML): escaped as the report's HTML is, and
 * characters XML cannot hold shown as U+FFFD. Every data string goes through it.
 */
export function esc(text: unknown): string {
  return escapeHtml(String(text).replace(NOT_XML, "\uFFFD"));
}

/** A coordinate with at most two decimals, the same text for the same value on every run. */
export function px(v: number): string {
  return String(Number(v.toFixed(2)));
}

/** Advance widths in em of the characters whose width stands out from a letter's. */
const ADVANCE: [RegExp, number][] = [
  [/[0-9]/, 0.64],
  [/[ ,.:;'!|iljIt]/, 0.32],
  [/[()[\]f\-]/, 0.4],
  [/[mwMW%]/, 0.98],
  [/[A-Z]/, 0.74],
];

/** Estimated width in px of `text` at `fontPx`, never less than the font would draw. */
export function textWidth(text: string, fontPx: number): number {
  let em = 0;
  for (const c of text) em += ADVANCE.find(([re]) => re.test(c))?.[1] ?? 0.62;
  return em * fontPx;
}

/** The lines of a Plotly text, which breaks lines with `<br>`. */
export function textLines(text: string): string[] {
  return text.split(/<br\s*\/?>/i);
}

/**
 * A tick value written out, as Plotly does with `exponentformat: "none"` and
 * `separatethousands`: "35,000", "0.25", never "35k" or "3.5e4"; `step` sets the decimals.
 *
 * @example
 * ```ts
 * import { tickText } from "./svg_text.ts";
 * [tickText(35000, 5000), tickText(0.25, 0.05), tickText(-1200, 200)]; // ["35,000", "0.25", "-1,200"]
 * ```
 */
export function tickText(v: number, step: number): string {
  const decimals = step >= 1 || step <= 0 ? 0 : Math.min(12, Math.ceil(-Math.log10(step) - 1e-9));
  const [whole, frac] = Math.abs(v).toFixed(decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const sign = v < 0 && Number(Math.abs(v).toFixed(decimals)) !== 0 ? "-" : "";
  return `${sign}${grouped}${frac ? `.${frac}` : ""}`;
}
