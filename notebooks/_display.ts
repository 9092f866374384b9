/**
 * What the notebooks share: their parameters (from ./_params.ts, re-exported), and the display
 * of the pipeline's tables (polars DataFrames, rendered as rich tables by Deno's kernel) and
 * figures (Plotly MIME bundles with a static SVG fallback).
 * Nothing here computes a result: tables and figures come from pipeline/ as they are.
 *
 * In a notebook, end a cell with `await show(value)` rather than a bare expression: a display
 * made through these helpers is counted, so that a headless run (notebooks/_execute.py) knows
 * when the kernel dropped one, and it is published before the cell ends.
 */
import pl from "nodejs-polars";
import { Buffer } from "node:buffer";
import {
  escapeMarkdown,
  figureCaption,
  type FigureSpec,
  markdownCode,
  type NamedTable,
} from "../pipeline/mod.ts";
import { paperSvg } from "../render/svg.ts";
import { type Dataset, readDataset as readDatasetFile } from "../dataset/mod.ts";
import { pathRoots } from "../render/provenance.ts";
import { scrub } from "../render/redact.ts";

export * from "./_params.ts";
export { escapeMarkdown, markdownCode };

/** A MIME bundle, as Jupyter's display_data carries it. */
export type MimeBundle = Record<string, string | object>;

/** Something Deno's kernel displays through its `Jupyter.display` symbol. */
export function displayable(bundle: MimeBundle): { [k: symbol]: () => MimeBundle } {
  return { [Symbol.for("Jupyter.display")]: () => bundle };
}

/**
 * Markdown, displayable (the last expression of a cell, or through {@linkcode show}). Called
 * on a string, the string is the notebook's own Markdown; used as a tag (md`runtime ${rt}`),
 * every interpolated value is text from data, escaped (pipeline's `escapeMarkdown`), so that a
 * runtime or dataset name cannot add links, HTML or table cells.
 */
export function md(
  text: string | TemplateStringsArray,
  ...values: unknown[]
): { [k: symbol]: () => MimeBundle } {
  const markdown = typeof text === "string"
    ? text
    : text.reduce((all, part, i) => all + escapeMarkdown(String(values[i - 1])) + part);
  return displayable({ "text/markdown": markdown, "text/plain": markdown });
}

/**
 * The Plotly MIME bundle of a figure: the spec for Plotly renderers (JupyterLab with one, VS
 * Code), and for viewers without one a static SVG, twice: as `image/svg+xml`, and as an HTML
 * `<img>` of it, which is what nbconvert's HTML (nbviewer) shows, since it strips the
 * elements of an inline SVG output; then the title as plain text. The SVG is the one the
 * report writes as `figures/<id>.svg` with its default options (render/svg.ts: text width,
 * the caption above instead of a title), the same bytes.
 */
export function figureBundle(spec: FigureSpec): MimeBundle {
  const svg = paperSvg(spec);
  const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
  const alt = (spec.description ?? `${spec.id}: ${spec.title}`).replaceAll("&", "&amp;").replaceAll(
    '"',
    "&quot;",
  )
    .replaceAll("<", "&lt;");
  return {
    "application/vnd.plotly.v1+json": spec.figure,
    "image/svg+xml": svg,
    "text/html": `<img alt="${alt}" src="${src}">`,
    "text/plain": `${spec.id}: ${spec.title}`,
  };
}

/** A frame as displayed: floating-point columns rounded to `digits` decimals, as the report's
 * Markdown tables (the CSVs of `deno task tables` keep full precision). */
export function shownFrame(frame: pl.DataFrame, digits = 4): pl.DataFrame {
  const floats = frame.columns.filter((c) => frame.getColumn(c).isFloat());
  return floats.length === 0 ? frame : frame.withColumns(
    ...floats.map((c) => pl.col(c).round(digits)),
  );
}

/** Where {@linkcode show} counts the displays of a kernel session, so that a headless run
 * can check that it received every one (notebooks/_execute.py re-executes a notebook that lost
 * one). */
export const DISPLAY_COUNTER = Symbol.for("whiskbench.notebook.displays");

/** Set by a headless run (notebooks/_execute.py) to the file where it writes how many displays
 * it has received; see {@linkcode delivered}. */
export const DISPLAY_ACK_ENV = "WHISKBENCH_DISPLAY_ACK";

/** The IOPub message a display waiting for its delivery publishes to push out what the kernel's
 * socket holds back; the headless run ignores it. */
export const FLUSH_MSG_TYPE = "whiskbench_flush";

/** How long a display waits for its delivery before the run goes on (the runner's count then
 * finds the loss and executes the notebook again). */
const DELIVERY_PATIENCE_MS = 60_000;

/** Counts a display made, then, in a headless run, waits until the client has received it. */
async function counted(): Promise<void> {
  const g = globalThis as unknown as Record<symbol, number>;
  const made = g[DISPLAY_COUNTER] = (g[DISPLAY_COUNTER] ?? 0) + 1;
  const ack = Deno.env.get(DISPLAY_ACK_ENV);
  if (ack) await delivered(ack, made);
}

/**
 * Waits until the file `ack` (written by notebooks/_execute.py) counts `made` displays received.
 *
 * Deno's kernel (2.x) publishes on a ZeroMQ PUB socket that silently drops a message when the
 * socket is still full of the ones before (zmq.rs: "SHALL silently drop the message if the
 * queue for a subscriber is full"), and flushes a large message's tail only when it sends the
 * next one. Displays made back to back (a cell of 40 tables) lost some whenever the client's
 * reads fell behind for a moment (on a loaded CI machine, in each of 4 attempts). So the kernel
 * sends the next display only once the client has this one, and meanwhile publishes a small
 * message now and then to push out a held-back tail. Interactive front ends set no `ack` file
 * and wait for nothing.
 */
async function delivered(ack: string, made: number): Promise<void> {
  const start = Date.now();
  let pause = 1;
  let lastFlush = start;
  while (Date.now() - start < DELIVERY_PATIENCE_MS) {
    if (await receivedCount(ack) >= made) return;
    if (Date.now() - lastFlush >= 50) {
      await jupyter().broadcast(FLUSH_MSG_TYPE, {});
      lastFlush = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 20);
  }
}

/** The count in the `ack` file; 0 before the client first wrote it. */
async function receivedCount(ack: string): Promise<number> {
  try {
    return Number((await Deno.readTextFile(ack)).trim()) || 0;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
}

type Jupyter = {
  display(obj: unknown, options?: { raw?: boolean }): Promise<void>;
  broadcast(msgType: string, content: Record<string, unknown>): Promise<void>;
};

function jupyter(): Jupyter {
  const j = (Deno as unknown as { jupyter?: Jupyter }).jupyter;
  if (!j) throw new Error("Display needs Deno's Jupyter kernel (deno jupyter)");
  return j;
}

function isFrame(value: unknown): value is pl.DataFrame {
  const v = value as Partial<pl.DataFrame> | null;
  return typeof v === "object" && v !== null && Array.isArray(v.columns) &&
    typeof v.toRecords === "function" && typeof v.getColumn === "function";
}

/** Displays a value in the notebook, awaited so that outputs keep their order and a headless
 * run never misses one: a DataFrame as a rich table (see {@linkcode shownFrame}), Markdown
 * from {@linkcode md}. */
export async function show(value: unknown): Promise<void> {
  await jupyter().display(isFrame(value) ? shownFrame(value) : value);
  await counted();
}

/** Displays a named table: its title and name, then the frame as a rich table. */
export async function showTable(table: NamedTable | undefined, name = "?"): Promise<void> {
  if (!table) return await show(md(`*No table ${markdownCode(name)} in this dataset.*`));
  // Titles and names carry the dataset's runtimes and workloads: text, never Markdown.
  const heading = `#### ${escapeMarkdown(table.title)}`;
  await show(md(`${heading}\n${markdownCode(table.name)}, ${table.frame.height} rows`));
  await show(table.frame);
}

/**
 * Displays a figure under its caption (what it shows, and how it differs from the thesis's
 * where it does), as a Plotly MIME bundle (awaited, so outputs keep their order).
 */
export async function showFigure(spec: FigureSpec | undefined, id = "?"): Promise<void> {
  if (!spec) return await show(md(`*No figure ${markdownCode(id)} in this dataset.*`));
  // The caption and id carry the dataset's names (escaped); a note is the pipeline's own Markdown.
  const caption = `**${escapeMarkdown(figureCaption(spec))}** (${markdownCode(spec.id)})`;
  await show(md(`${caption}${spec.note ? `\n\n${spec.note}` : ""}`));
  await jupyter().display(figureBundle(spec), { raw: true });
  await counted();
}

/**
 * Reads a dataset as the notebooks show it: dataset.json free of secrets and of this
 * machine's paths (render/redact.ts, as the report's provenance), since a notebook's outputs
 * are committed and shared.
 */
export async function readDataset(
  dir: string,
  options?: Parameters<typeof readDatasetFile>[1],
): Promise<Dataset> {
  const ds = await readDatasetFile(dir, options);
  return { ...ds, meta: scrub(ds.meta, pathRoots(dir)) as Dataset["meta"] };
}
