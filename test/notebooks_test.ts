/**
 * The notebooks, executed under the real Deno kernel by Debian's nbclient (as `deno task
 * notebooks` runs them), into a temporary folder: no cell fails, the outputs hold the tables
 * and figures expected, and the committed notebooks hold exactly these outputs (up to date,
 * deterministic, no absolute paths). Plus the parameters and kernelspec helpers on their own.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ingest } from "../ingest/mod.ts";
import { cleanNotebooks, executeNotebooks, listNotebooks, NOTEBOOK_DIR } from "../cli/notebooks.ts";
import {
  findOnPath,
  inNpxCache,
  installKernel,
  KERNEL_NAME,
  kernelDeno,
  kernelSpec,
  stableDenoPath,
  userDataDir,
} from "../cli/kernel.ts";
import { figureBundle, md } from "../notebooks/_display.ts";
import {
  PARAMS_FILE,
  paramsMarkdown,
  PROJECT_ROOT,
  readBaseline,
  readParams,
  shownPath,
} from "../notebooks/_params.ts";
import { levelRange, shownLevels } from "../pipeline/mod.ts";
import { activationLog, rawDir } from "./_raw_logs.ts";

// deno-lint-ignore no-explicit-any
type Notebook = { metadata: any; cells: any[] };
// deno-lint-ignore no-explicit-any
type Output = Record<string, any>;

const PLOTLY = "application/vnd.plotly.v1+json";

/** A multi-line string of a notebook file (a string or, as nbformat writes it, a list). */
function text(value: string | string[]): string {
  return [value].flat().join("");
}

/** A code cell, not yet executed, of a notebook that a test writes. */
function codeCell(id: string, source: string) {
  return { cell_type: "code", id, metadata: {}, execution_count: null, outputs: [], source };
}

/** Writes a notebook of `cells` under the project's kernel to `path`. */
async function writeNotebook(path: string, cells: ReturnType<typeof codeCell>[]): Promise<void> {
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: KERNEL_NAME, display_name: "x", language: "typescript" } },
      cells,
    }),
  );
}

async function readNotebook(path: string): Promise<Notebook> {
  return JSON.parse(await Deno.readTextFile(path));
}

function outputs(nb: Notebook, cellId?: string): Output[] {
  return nb.cells
    .filter((c) => c.cell_type === "code" && (cellId === undefined || c.id === cellId))
    .flatMap((c) => c.outputs as Output[]);
}

function plotly(nb: Notebook, cellId?: string): Output[] {
  return outputs(nb, cellId).filter((o) => o.data?.[PLOTLY]).map((o) => o.data[PLOTLY]);
}

/** The tables (dataresource records) displayed by a cell, in order. */
function frames(nb: Notebook, cellId: string): Record<string, unknown>[][] {
  return outputs(nb, cellId)
    .filter((o) => o.data?.["application/vnd.dataresource+json"])
    .map((o) => o.data["application/vnd.dataresource+json"].data);
}

/** Every notebook executed once into a temporary folder, shared by the tests below. */
let executed: Promise<string> | undefined;
function executeAll(): Promise<string> {
  executed ??= (async () => {
    const out = await Deno.makeTempDir({ prefix: "whiskbench-notebooks-" });
    await executeNotebooks(await listNotebooks(), { out, progress: false });
    return out;
  })();
  return executed;
}

const EXPECTED_NOTEBOOKS = [
  "00_overview.ipynb",
  "01_cold_start.ipynb",
  "02_warm_no_load_and_hash.ipynb",
  "03_mixed_loads.ipynb",
  "04_comparison_and_slowdown.ipynb",
  "05_capacity_and_resources.ipynb",
  "06_executor_durations.ipynb",
  "07_compare.ipynb",
];

Deno.test("the notebooks folder holds one notebook per part and the overview", async () => {
  const names = (await listNotebooks()).map((p) => p.slice(NOTEBOOK_DIR.length + 1));
  assert.deepEqual(names, EXPECTED_NOTEBOOKS);
});

Deno.test("every notebook executes under the Deno kernel with no cell error", async () => {
  const out = await executeAll();
  for (const name of EXPECTED_NOTEBOOKS) {
    const nb = await readNotebook(join(out, name));
    assert.equal(nb.metadata.kernelspec.name, KERNEL_NAME, name);
    assert.equal(nb.metadata.language_info.name, "typescript", name);
    const errors = outputs(nb).filter((o) => o.output_type === "error");
    assert.deepEqual(errors, [], name);
    const counts = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.execution_count);
    assert.deepEqual(counts, counts.map((_, i) => i + 1), name);
  }
});

/** The figures of each notebook, by title prefix: the thesis's, then the explore cell's. */
const EXPECTED_FIGURES: Record<string, number> = {
  "00_overview.ipynb": 0,
  "01_cold_start.ipynb": 3, // Figures 5, 6; a zoom on the first levels
  "02_warm_no_load_and_hash.ipynb": 4, // Figures 7, 8, 9, 11
  "03_mixed_loads.ipynb": 10, // Figures 13-15, 17, 19, 21, 23, 25, 27, 29
  "04_comparison_and_slowdown.ipynb": 0,
  "05_capacity_and_resources.ipynb": 3, // Figures 31, 32 and 31 as the thesis plots it
  "06_executor_durations.ipynb": 2, // Figures 33, 34
  "07_compare.ipynb": 21, // forest plot, 4 ECDFs, 16 per-level medians
};

Deno.test("each notebook shows its figures as Plotly bundles with an SVG fallback", async () => {
  const out = await executeAll();
  for (const name of EXPECTED_NOTEBOOKS) {
    const nb = await readNotebook(join(out, name));
    const bundles = outputs(nb).filter((o) => o.data?.[PLOTLY]).map((o) => o.data);
    assert.equal(bundles.length, EXPECTED_FIGURES[name], name);
    for (const b of bundles) {
      assert.ok(b[PLOTLY].data.length > 0 && b[PLOTLY].layout.title.text, name);
      assert.match(text(b["image/svg+xml"]), /^<svg [^]*<\/svg>$/, name);
    }
  }
});

Deno.test("the overview links every notebook and shows the scorecard and Tables 1, 2", async () => {
  const nb = await readNotebook(join(await executeAll(), "00_overview.ipynb"));
  const intro = text(nb.cells[0].source);
  for (const name of EXPECTED_NOTEBOOKS.slice(1)) assert.ok(intro.includes(`](${name})`), name);
  const card = text(outputs(nb, "scorecard")[0].data["text/markdown"]);
  assert.match(card, /published cells: \d+/);
  assert.match(card, /exact at printed precision: \d+/);
  const [actions] = frames(nb, "actions");
  assert.ok(actions.some((r) => r.file === "hello.rs" && r.lines_of_code === 13));
});

Deno.test("01_cold_start shows Tables 3, 4 and Figures 5, 6", async () => {
  const nb = await readNotebook(join(await executeAll(), "01_cold_start.ipynb"));
  const [docker, wasm] = frames(nb, "tables");
  assert.deepEqual(
    [docker[0].level, docker[0].n, docker[0].mean, docker[0].sd],
    [1, 8, 2879, 83.353],
  );
  assert.deepEqual([wasm[0].level, wasm[0].n, wasm[0].mean], [1, 10, 47.8]);
  assert.equal(docker.length, 15);
  const figures = plotly(nb, "figures");
  assert.deepEqual(figures.map((f) => f.layout.title.text), [
    "Cold-start latency per level, Docker",
    "Cold-start latency per level, Wasm",
  ]);
  assert.equal(figures[0].data.filter((t: Output) => t.type === "box").length, 15);
  const [caption, first] = outputs(nb, "figures");
  assert.equal(
    text(caption.data["text/markdown"]),
    "**Figure 5: Cold-start latency per level, Docker** (`figure_05`)",
    "every figure is shown under its caption",
  );
  const bundle = first.data;
  assert.match(text(bundle["image/svg+xml"]), /^<svg /);
  assert.equal(text(bundle["text/plain"]), "figure_05: Cold-start latency per level, Docker");
});

Deno.test("07_compare compares the thesis with itself: ratio 1, never slower or faster", async () => {
  const nb = await readNotebook(join(await executeAll(), "07_compare.ipynb"));
  const said = text(outputs(nb, "compare")[0].data["text/markdown"]);
  assert.match(said, /^\d+ cells compared \(0 slower, 0 faster, \d+ same, \d+ inconclusive\)/);
  const [pooled] = frames(nb, "pooled");
  assert.equal(pooled.length, 16); // 2 cold-start and 14 warm cells
  for (const r of pooled) assert.equal(r.ratio, 1);
  const findings = outputs(nb, "findings").map((o) => text(o.data["text/markdown"]));
  assert.match(findings[1], /Wasm's warm latency under hash load is lower than Docker's at every/);
  // The figures: against itself, NEW's ratios, distributions and medians are BASE's.
  const [forest, ...rest] = plotly(nb, "figures");
  const trace = (f: Output, name: string) => f.data.find((t: Output) => t.name === name);
  assert.equal(trace(forest, "NEW").y.length, 8); // Tables 9-16
  assert.deepEqual(trace(forest, "NEW").x, trace(forest, "BASE").x);
  const ecdfs = rest.filter((f) => f.layout.xaxis.type === "log");
  assert.equal(ecdfs.length, 4);
  for (const f of ecdfs) assert.deepEqual(f.data[0].x, f.data[1].x);
  const medians = rest.filter((f) => f.layout.xaxis.type !== "log");
  assert.equal(medians.length, 16);
  for (const f of medians) {
    assert.deepEqual(trace(f, "NEW, median").y, trace(f, "BASE, median").y);
  }
});

Deno.test("the committed notebooks hold the outputs of an execution (run deno task notebooks)", async () => {
  const out = await executeAll();
  // Compared as `deno task notebooks --clean` leaves them: a JupyterLab save's additions (a
  // renderer's PNG, metadata) are not a difference.
  const cleaned = await Deno.makeTempDir({ prefix: "whiskbench-cleaned-" });
  await cleanNotebooks(await listNotebooks(), { out: cleaned, progress: false });
  for (const name of EXPECTED_NOTEBOOKS) {
    const committed = await readNotebook(join(cleaned, name));
    const fresh = await readNotebook(join(out, name));
    assert.deepEqual(
      committed,
      fresh,
      `notebooks/${name}: committed outputs differ from a fresh execution; ` +
        "run `deno task notebooks` and commit the result",
    );
  }
});

Deno.test("the committed notebooks hold no absolute path and no execution times", async () => {
  for (const path of await listNotebooks()) {
    const text = await Deno.readTextFile(path);
    assert.ok(!text.includes(PROJECT_ROOT.replace(/\/$/, "")), `${path}: project path`);
    assert.doesNotMatch(text, /"\/(tmp|root|home|work|Users)\//, path);
    assert.doesNotMatch(text, /iopub\.|shell\.execute_reply|"execution":/, path);
  }
});

Deno.test("deno task notebooks points every notebook at another dataset and levels", async () => {
  const raw = await rawDir({
    "1_wasm_cold_start.log": activationLog([
      [
        { level: 1, records: [{ id: "a", wait: 5, init: 40 }] },
        { level: 2, records: [{ id: "b", wait: 3, init: 50 }, { id: "c", wait: 7, init: 60 }] },
      ],
    ]),
  });
  const data = `${raw}-dataset`;
  await ingest(raw, data);
  const out = await Deno.makeTempDir();
  await executeNotebooks(await listNotebooks(), { out, data, levels: "1-2", progress: false });
  const nb = await readNotebook(join(out, "01_cold_start.ipynb"));
  const params = text(outputs(nb, "parameters")[0].data["text/markdown"]);
  assert.ok(params.includes(data) && params.includes("levels** 1-2"), params);
  const [wasm] = frames(nb, "tables");
  assert.deepEqual(wasm.map((r) => [r.level, r.n, r.mean]), [[1, 1, 45], [2, 2, 60]]);
  assert.equal(plotly(nb, "figures").length, 1);
  // A part with no data behind it says so rather than failing.
  const warm = await readNotebook(join(out, "02_warm_no_load_and_hash.ipynb"));
  const notes = outputs(warm, "hello-tables").map((o) => text(o.data["text/markdown"]));
  assert.deepEqual(notes, ["*No table `warm_wasm_hello` in this dataset.*"]);
});

Deno.test("deno task notebooks names the notebook and the cell that fails", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "broken.ipynb");
  await writeNotebook(path, [
    codeCell("fine", "1 + 1"),
    codeCell("boom", 'throw new RangeError("no such level")'),
  ]);
  await assert.rejects(
    executeNotebooks([path], { progress: false }),
    (err: Error) => {
      assert.match(err.message, /broken\.ipynb: cell 2 \(id 'boom'\) failed/);
      assert.match(err.message, /RangeError: no such level/);
      return true;
    },
  );
  assert.deepEqual((await readNotebook(path)).cells[0].outputs, [], "not written on failure");
});

Deno.test("readParams(): environment over file over defaults; notebooks/params.json unless WHISKBENCH_PARAMS", () => {
  const files: Record<string, string> = {
    [join(PROJECT_ROOT, "p/params.json")]: '{"data": "../other", "levels": [1, 2, 4]}',
  };
  const read = (p: string) =>
    files[p] ?? (() => {
      throw new Deno.errors.NotFound(p);
    })();
  const defaults = { data: join(PROJECT_ROOT, "data/thesis"), levels: levelRange(15) };
  assert.deepEqual(readParams({}, read), defaults, "no notebooks/params.json: the defaults");
  files[PARAMS_FILE] = '{"levels": "1,3,5-7"}';
  assert.deepEqual(readParams({}, read), {
    ...defaults,
    levels: [1, 3, 5, 6, 7],
    file: PARAMS_FILE,
  });
  assert.deepEqual(readParams({ WHISKBENCH_PARAMS: "p/params.json" }, read), {
    data: join(PROJECT_ROOT, "other"),
    levels: [1, 2, 4],
    file: join(PROJECT_ROOT, "p/params.json"),
  });
  assert.deepEqual(readParams({ WHISKBENCH_PARAMS: "" }, read), defaults, "empty: no file");
  assert.deepEqual(
    readParams({ WHISKBENCH_DATA: "/d", WHISKBENCH_LEVELS: "3" }, read),
    { data: "/d", levels: [1, 2, 3], file: PARAMS_FILE },
  );
  assert.equal(
    paramsMarkdown(readParams({}, read)),
    "**Dataset** `data/thesis` · **levels** 1, 3, 5, 6, 7 (every table and figure) · from " +
      "`notebooks/params.json`",
  );
  assert.throws(
    () => readParams({ WHISKBENCH_PARAMS: "missing.json" }, read),
    /Cannot read notebook parameters .*missing\.json/,
  );
  files[PARAMS_FILE] = '{"level": 5}';
  assert.throws(
    () => readParams({}, read),
    /notebooks\/params\.json: unknown key "level", expected "data", "levels" and "baseline"/,
  );
  files[PARAMS_FILE] = '{"levels": "1-x"}';
  assert.throws(() => readParams({}, read), /params\.json "levels": "1-x", expected/);
  assert.throws(
    () => readParams({ WHISKBENCH_PARAMS: "", WHISKBENCH_LEVELS: "abc" }, read),
    /Cannot read levels from WHISKBENCH_LEVELS: "abc", expected/,
  );
});

Deno.test("readBaseline() reads the file's baseline, then WHISKBENCH_BASELINE", () => {
  const files: Record<string, string> = {
    [join(PROJECT_ROOT, "p/params.json")]: '{"data": "x", "baseline": "../base"}',
    [join(PROJECT_ROOT, "p/bad.json")]: '{"baseline": 3}',
  };
  const read = (p: string) => files[p];
  assert.equal(readBaseline({ WHISKBENCH_PARAMS: "" }, read), join(PROJECT_ROOT, "data/thesis"));
  assert.equal(
    readBaseline({ WHISKBENCH_PARAMS: "p/params.json" }, read),
    join(PROJECT_ROOT, "base"),
  );
  assert.equal(
    readBaseline({ WHISKBENCH_PARAMS: "p/params.json", WHISKBENCH_BASELINE: "/b" }, read),
    "/b",
  );
  assert.throws(
    () => readBaseline({ WHISKBENCH_PARAMS: "p/bad.json" }, read),
    /bad\.json: "baseline" is 3, expected a folder path/,
  );
});

Deno.test("shownPath() and shownLevels() keep outputs free of absolute paths", () => {
  assert.equal(shownPath(join(PROJECT_ROOT, "data/thesis")), "data/thesis");
  assert.equal(shownPath("/elsewhere/ds"), "/elsewhere/ds");
  assert.equal(shownLevels([1, 2, 3]), "1-3");
  assert.equal(shownLevels([1, 2, 4]), "1, 2, 4");
});

Deno.test("md`...` escapes what it interpolates; md(text) keeps the notebook's own Markdown", () => {
  const markdown = (d: ReturnType<typeof md>) =>
    d[Symbol.for("Jupyter.display")]()["text/markdown"];
  const runtime = "<img src=x onerror=alert(1)> [x](javascript:1) | `y`";
  assert.equal(
    markdown(md`runtime **${runtime}**`),
    "runtime **\\<img src=x onerror=alert(1)\\> \\[x\\](javascript:1) \\| \\`y\\`**",
  );
  assert.equal(markdown(md("**bold** [link](a.md)")), "**bold** [link](a.md)");
  const params = paramsMarkdown({ data: "/x/a`b", levels: [1, 2], file: undefined } as never);
  assert.match(params, /^\*\*Dataset\*\* ``\/x\/a`b`` · /);
});

Deno.test("figureBundle() carries the Plotly spec, a static SVG and the title", () => {
  const spec = {
    id: "figure_33",
    title: "t",
    figure: { data: [{ type: "bar", x: ["a"], y: [1] }], layout: { title: { text: "t" } } },
  };
  const bundle = figureBundle(spec);
  assert.equal(bundle[PLOTLY], spec.figure);
  assert.match(bundle["image/svg+xml"] as string, /^<svg [^]*<\/svg>$/);
  assert.equal(bundle["text/plain"], "figure_33: t");
  const html = bundle["text/html"] as string;
  const b64 = html.match(/^<img alt="figure_33: t" src="data:image\/svg\+xml;base64,([^"]+)">$/)
    ?.[1];
  assert.equal(
    new TextDecoder().decode(Uint8Array.from(atob(b64!), (c) => c.charCodeAt(0))),
    bundle["image/svg+xml"],
  );
});

Deno.test("kernelSpec() runs Deno's kernel; userDataDir() follows Jupyter's rules", () => {
  assert.deepEqual(kernelSpec("/opt/deno").argv, [
    "/opt/deno",
    "jupyter",
    "--kernel",
    "--conn",
    "{connection_file}",
  ]);
  assert.equal(userDataDir({ JUPYTER_DATA_DIR: "/j" }, "linux", "/h"), "/j");
  assert.equal(userDataDir({}, "linux", "/h"), "/h/.local/share/jupyter");
  assert.equal(userDataDir({ XDG_DATA_HOME: "/x" }, "linux", "/h"), "/x/jupyter");
  assert.equal(userDataDir({}, "darwin", "/h"), "/h/Library/Jupyter");
  assert.equal(userDataDir({ APPDATA: "C:\\A" }, "windows", "/h"), join("C:\\A", "jupyter"));
});

Deno.test("deno task notebooks re-executes a notebook whose outputs went missing, then fails", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "lossy.ipynb");
  // What a dropped message looks like to the runner: displays counted, none received.
  await writeNotebook(path, [
    codeCell("claims-two-displays", 'globalThis[Symbol.for("whiskbench.notebook.displays")] = 2;'),
  ]);
  await assert.rejects(
    executeNotebooks([path], { progress: false }),
    /lossy\.ipynb: the kernel dropped 2 output\(s\); attempt 1 of 4[^]*attempt 4 of 4[^]*still missing after 4 attempts/,
  );
});

Deno.test("in a headless run each display waits until the client has it: 30 of 600 KB in one cell, none lost", async () => {
  // Under the project root, so that the kernel finds deno.json (the display helpers import polars).
  const dir = join(PROJECT_ROOT, "test_output", `ack-${crypto.randomUUID()}`);
  await Deno.mkdir(dir, { recursive: true });
  try {
    const display = new URL("../notebooks/_display.ts", import.meta.url).href;
    const path = join(dir, "burst.ipynb");
    // After each display, what the client had acknowledged by then.
    await writeNotebook(path, [codeCell(
      "burst",
      `import { DISPLAY_ACK_ENV, md, show } from ${JSON.stringify(display)};
const ack = Deno.env.get(DISPLAY_ACK_ENV)!;
const seen = [];
const filler = "x".repeat(300_000);
for (let i = 1; i <= 30; i++) {
  await show(md(\`\${i} \${filler}\`));
  seen.push(Number(await Deno.readTextFile(ack)));
}
await show(md(\`seen \${seen.join(",")}\`));`,
    )]);
    await executeNotebooks([path], { progress: false });
    const shown = outputs(await readNotebook(path), "burst");
    assert.deepEqual(shown.map((o) => o.output_type), Array(31).fill("display_data"));
    const texts = shown.map((o) => text(o.data["text/markdown"]));
    for (let i = 1; i <= 30; i++) assert.equal(texts[i - 1].split(" ")[0], String(i));
    const oneToThirty = Array.from({ length: 30 }, (_, i) => i + 1).join(",");
    assert.equal(texts[30], `seen ${oneToThirty}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("installKernel() writes kernel.json where Jupyter looks for it", async () => {
  const dir = await Deno.makeTempDir();
  const kernelDir = await installKernel(dir, { deno: "/opt/deno" });
  assert.equal(kernelDir, join(dir, "kernels", KERNEL_NAME));
  const spec = JSON.parse(await Deno.readTextFile(join(kernelDir, "kernel.json")));
  assert.equal(spec.display_name, "Deno (whiskbench)");
  assert.equal(spec.argv[0], "/opt/deno");
});

Deno.test("with levels 1-5 every table and figure of a notebook covers levels 1-5, Tables 3 and 4 too", async () => {
  const out = await Deno.makeTempDir();
  const names = ["01_cold_start.ipynb", "04_comparison_and_slowdown.ipynb"];
  await executeNotebooks(names.map((n) => join(NOTEBOOK_DIR, n)), {
    out,
    levels: "1-5",
    progress: false,
  });
  const cold = await readNotebook(join(out, names[0]));
  const params = text(outputs(cold, "parameters")[0].data["text/markdown"]);
  assert.ok(params.includes("**levels** 1-5 (every table and figure)"), params);
  const five = [1, 2, 3, 4, 5];
  for (const table of frames(cold, "tables")) assert.deepEqual(table.map((r) => r.level), five);
  const figures = plotly(cold, "figures");
  assert.equal(figures.length, 2);
  for (const fig of figures) {
    assert.deepEqual(
      fig.data.filter((t: Output) => t.type === "box").map((t: Output) => t.x0),
      five,
    );
  }
  const cmp = await readNotebook(join(out, names[1]));
  const [comparison] = frames(cmp, "comparison");
  assert.ok(comparison.length > 0);
  assert.deepEqual([...new Set(comparison.map((r) => r.levels))], [5]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("the parameters cell reads the parameters file each time it runs: no kernel restart", async () => {
  // A notebook in a folder of the project (so the kernel finds deno.json), git-ignored.
  const dir = join(PROJECT_ROOT, "test_output", `params-${crypto.randomUUID()}`);
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "params.json");
  await Deno.writeTextFile(file, '{"levels": "1-3"}');
  const module = new URL("../notebooks/_params.ts", import.meta.url).href;
  const path = join(dir, "edit.ipynb");
  await writeNotebook(path, [
    codeCell(
      "before",
      `import { paramsMarkdown, readParams } from "${module}";\nparamsMarkdown(readParams());`,
    ),
    codeCell("edit", `Deno.writeTextFileSync(${JSON.stringify(file)}, '{"levels": "2,4-5"}');`),
    codeCell("after", "paramsMarkdown(readParams());"),
  ]);
  await executeNotebooks([path], { params: file, progress: false });
  const nb = await readNotebook(path);
  const shown = (id: string) => text(outputs(nb, id)[0].data["text/plain"]);
  assert.match(
    shown("before"),
    /\*\*levels\*\* 1-3 \(every table and figure\) · from `test_output\/params-[^/]+\/params\.json`/,
  );
  assert.match(shown("after"), /\*\*levels\*\* 2, 4, 5 \(every table and figure\)/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task notebooks ignores the caller's WHISKBENCH_* variables and notebooks/params.json", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "env.ipynb");
  // The runner's own acknowledgement file (a temporary path) is shown by its name alone;
  // sorted by name, since the environment's order is the process's.
  await writeNotebook(path, [codeCell(
    "env",
    "const env = Object.entries(Deno.env.toObject())\n" +
      '  .filter(([k]) => k.startsWith("WHISKBENCH_"))\n' +
      '  .map(([k, v]) => k === "WHISKBENCH_DISPLAY_ACK" ? [k, "(the run\'s)"] : [k, v])\n' +
      "  .sort(([a], [b]) => a < b ? -1 : 1);\n" +
      'await Deno.jupyter.display({ "text/plain": JSON.stringify(env) }, { raw: true });',
  )]);
  Deno.env.set("WHISKBENCH_LEVELS", "abc");
  try {
    await executeNotebooks([path], { progress: false });
  } finally {
    Deno.env.delete("WHISKBENCH_LEVELS");
  }
  const nb = await readNotebook(path);
  // Set but empty: the parameters cell reads no file, not even notebooks/params.json.
  assert.equal(
    text(outputs(nb, "env")[0].data["text/plain"]),
    '[["WHISKBENCH_DISPLAY_ACK","(the run\'s)"],["WHISKBENCH_PARAMS",""]]',
  );
});

Deno.test("kernelDeno() takes the deno on PATH by its real path, never one in the npx cache", async () => {
  const root = await Deno.makeTempDir();
  const npx = join(root, ".npm", "_npx", "0123abcd", "node_modules", "deno");
  const stable = join(root, "opt", "deno");
  for (const d of [npx, stable, join(root, "bin")]) await Deno.mkdir(d, { recursive: true });
  const fake = "#!/bin/sh\necho deno 9.9.9\n";
  for (const d of [npx, stable]) {
    await Deno.writeTextFile(join(d, "deno"), fake);
    await Deno.chmod(join(d, "deno"), 0o755);
  }
  assert.ok(inNpxCache(join(npx, "deno")) && !inNpxCache(join(stable, "deno")));
  // PATH: a symlink to the stable deno.
  await Deno.symlink(join(stable, "deno"), join(root, "bin", "deno"));
  const bin = join(root, "bin");
  assert.equal(findOnPath("deno", `/nonexistent:${bin}`), join(stable, "deno"));
  assert.deepEqual(
    await kernelDeno({ env: { PATH: bin }, running: join(npx, "deno") }),
    { path: join(stable, "deno"), why: "the deno on PATH" },
  );
  // Only npx-cache denos: the running one, unless it is in the cache too; then a copy.
  const npxBin = join(root, "npxbin");
  await Deno.mkdir(npxBin);
  await Deno.symlink(join(npx, "deno"), join(npxBin, "deno"));
  assert.deepEqual(
    await kernelDeno({ env: { PATH: npxBin }, running: join(stable, "deno") }),
    { path: join(stable, "deno"), why: "the deno running this task" },
  );
  const env = { PATH: npxBin, XDG_DATA_HOME: join(root, "share") };
  const chosen = await kernelDeno({ env, running: join(npx, "deno") });
  assert.equal(chosen.path, join(root, "share", "whiskbench", "deno"));
  assert.equal(chosen.path, stableDenoPath(env, "linux"));
  assert.match(chosen.why, /^a copy of .*_npx.*: the only deno found is in npm's npx cache/);
  assert.equal(await Deno.readTextFile(chosen.path), fake);
  assert.equal((await Deno.stat(chosen.path)).mode! & 0o777, 0o755);
  await Deno.remove(root, { recursive: true });
});

Deno.test("deno task kernel writes a kernel.json Jupyter reads: the stable deno, no debugger", async () => {
  const dir = await Deno.makeTempDir();
  const cli = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/kernel.ts", "--dir", dir],
    cwd: PROJECT_ROOT,
  }).output();
  const said = new TextDecoder().decode(cli.stdout);
  assert.equal(cli.code, 0, new TextDecoder().decode(cli.stderr));
  const expected = await kernelDeno();
  assert.ok(said.includes(`the kernel runs ${expected.path} (${expected.why})`), said);
  // Read back by jupyter_client, as JupyterLab's server reads it.
  const py = await new Deno.Command("/usr/bin/python3", {
    args: [
      "-c",
      "import json; from jupyter_client.kernelspec import KernelSpecManager as M; " +
      "s = M().get_kernel_spec('whiskbench'); print(json.dumps([s.argv[0], s.metadata]))",
    ],
    env: { JUPYTER_PATH: dir, JUPYTER_PLATFORM_DIRS: "1" },
  }).output();
  assert.equal(py.code, 0, new TextDecoder().decode(py.stderr));
  const [argv0, metadata] = JSON.parse(new TextDecoder().decode(py.stdout));
  assert.equal(argv0, expected.path);
  assert.ok(!inNpxCache(argv0));
  assert.equal(metadata.debugger, false);
  await Deno.remove(dir, { recursive: true });
});
