import assert from "node:assert/strict";
import { basename, join } from "node:path";
import pl from "nodejs-polars";
import { readDataset, writeMeta, writePart } from "../dataset/mod.ts";
import {
  coldStartTable,
  compareFrame,
  latencyCells,
  PIPELINE_COLUMNS,
  slowdownFrame,
  warmTable,
} from "../pipeline/mod.ts";
import { parseCompareArgs } from "../cli/compare.ts";
import { buildReport } from "../cli/report.ts";
import { activations } from "./_frames.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const THESIS = join(ROOT, "data/thesis");

/** Runs `deno task compare`'s entry point; returns exit code and output. */
async function compare(...args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/compare.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

type Row = Record<string, string | number | null>;
const rowsOf = (path: string) => pl.readCSV(path).toRecords() as Row[];
const isWasmCold = (r: Row) => r.experiment === "cold_start" && r.runtime === "wasm";

// Fewer resamples than the default keep the test quick; the verdicts' rules are the same.
const RESAMPLES = "2000";

Deno.test("compare: the thesis against itself is ratio 1, never slower or faster", async () => {
  const out = await Deno.makeTempDir();
  const run = await compare(THESIS, THESIS, "--out", out, "--resamples", RESAMPLES);
  assert.equal(run.code, 0, run.text);
  assert.match(run.text, /compared \d+ cells \(0 slower, 0 faster, \d+ same, \d+ inconclusive\)/);
  const rows = rowsOf(join(out, "compare.csv"));
  // A row per row of the per-level tables, and an `all` row per runtime (and workload).
  const ds = await readDataset(THESIS, { activationColumns: PIPELINE_COLUMNS });
  const coldTable = coldStartTable(ds.activations), warm = warmTable(ds.activations);
  const groups = coldTable.select("runtime").unique().height +
    warm.select("runtime", "workload").unique().height;
  assert.equal(rows.length, coldTable.height + warm.height + groups);
  for (const r of rows) {
    assert.equal(r.ratio, 1, `${r.experiment} ${r.runtime} ${r.workload} ${r.level}`);
    assert.ok(r.verdict === "same" || r.verdict === "inconclusive");
    assert.ok((r.ratio_lo as number) <= 1 && 1 <= (r.ratio_hi as number));
  }
  const slowdown = rowsOf(join(out, "slowdown.csv"));
  assert.deepEqual(
    Object.keys(slowdown[0]).slice(0, 4),
    ["dataset", "experiment", "workload", "level"],
  );
  // Both datasets are the thesis: the same rows twice, but for the intervals, which come from
  // each dataset's own bootstrap streams.
  const half = slowdown.length / 2;
  const points = (rows: Row[]) =>
    rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).filter(([k]) => k !== "dataset" && !/_(lo|hi)$/.test(k)),
      )
    );
  assert.deepEqual(points(slowdown.slice(0, half)), points(slowdown.slice(half)));
  for (const r of slowdown) {
    assert.ok((r.median_ratio_lo as number) <= (r.median_ratio as number) + 1e-9);
    assert.ok((r.mean_ratio as number) <= (r.mean_ratio_hi as number) + 1e-9);
  }
  // The workers' numbers are the pipeline's on one thread, to the last digit.
  const cells = latencyCells(
    (await readDataset(THESIS, { activationColumns: [...PIPELINE_COLUMNS, "run"] })).activations,
  );
  const options = { resamples: Number(RESAMPLES) };
  const csv = (frame: pl.DataFrame) => {
    const path = join(out, "check.csv");
    frame.writeCSV(path);
    return Deno.readTextFileSync(path);
  };
  assert.equal(
    csv(compareFrame(cells, cells, options)),
    await Deno.readTextFile(join(out, "compare.csv")),
  );
  const cliSlowdown = pl.readCSV(join(out, "slowdown.csv"));
  for (const side of ["base", "new"]) {
    assert.equal(
      csv(slowdownFrame(cells, { ...options, side })),
      csv(cliSlowdown.filter(pl.col("dataset").eq(pl.lit(side))).drop("dataset")),
    );
  }
});

/** A copy of the thesis whose Wasm cold starts waited 1.3 times as long (made once). */
let scaledDataset: Promise<string> | undefined;
function scaledThesis(): Promise<string> {
  scaledDataset ??= (async () => {
    const scaled = await Deno.makeTempDir();
    const ds = await readDataset(THESIS, { activationColumns: [...PIPELINE_COLUMNS, "run"] });
    const wasmCold = pl.col("experiment").eq(pl.lit("cold_start"))
      .and(pl.col("runtime").eq(pl.lit("wasm")));
    await writeMeta(scaled, ds.meta);
    await writePart(
      scaled,
      "activations",
      "scaled",
      ds.activations.withColumns(
        pl.when(wasmCold).then(pl.col("wait_ms").mul(1.3)).otherwise(pl.col("wait_ms"))
          .alias("wait_ms"),
      ),
    );
    return scaled;
  })();
  return scaledDataset;
}

Deno.test("compare: Wasm cold starts 1.3x slower are found slower, nothing else moves", async () => {
  const scaled = await scaledThesis();
  const out = await Deno.makeTempDir();
  const run = await compare(THESIS, scaled, "--out", out, "--resamples", RESAMPLES);
  assert.equal(run.code, 0, run.text);
  const rows = rowsOf(join(out, "compare.csv"));
  const pooled = rows.find((r) => isWasmCold(r) && r.level === "all")!;
  assert.equal(pooled.verdict, "slower");
  assert.ok(
    (pooled.ratio_lo as number) <= 1.3 && 1.3 <= (pooled.ratio_hi as number),
    `1.3 outside ${pooled.ratio_lo}..${pooled.ratio_hi}`,
  );
  assert.ok((pooled.p_value as number) < 0.001, `p ${pooled.p_value}`);
  assert.ok((pooled.cliffs_delta as number) > 0);
  const findings = await Deno.readTextFile(join(out, "findings.md"));
  assert.match(
    findings,
    /\n- NEW's Wasm cold-start latency under hello load is higher than BASE's, by a factor of 1\.2\d \(95 % CI /,
  );
  // The datasets named as the user sees them, without the folders above them: the thesis
  // relative to the working folder (the project, or its last part from elsewhere), the
  // temporary one by its last part.
  assert.match(findings, new RegExp(`\nBASE: (data/)?thesis\n\nNEW: ${basename(scaled)}\n`));
  assert.ok(!findings.includes(ROOT) && !findings.includes(scaled), findings);
  assert.doesNotMatch(findings, /NEW's Docker .* (higher|lower) than BASE's/);
  for (const r of rows.filter(isWasmCold)) {
    assert.ok(r.verdict === "slower" || r.verdict === "inconclusive", `level ${r.level}`);
  }
  for (const r of rows.filter((r) => !isWasmCold(r))) {
    assert.equal(r.ratio, 1);
    assert.ok(r.verdict === "same" || r.verdict === "inconclusive", JSON.stringify(r));
  }
});

Deno.test("parseCompareArgs() reads the flags and refuses bad ones, naming them", () => {
  const a = parseCompareArgs(["b", "n", "--out", "o", "--threshold", "5", "--seed", "7"]);
  // Paths are the user's own: resolved against the folder the command was typed in.
  const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  assert.deepEqual(a, {
    base: join(cwd, "b"),
    next: join(cwd, "n"),
    out: join(cwd, "o"),
    options: { threshold: 0.05, seed: 7, resamples: 10_000 },
  });
  assert.equal(parseCompareArgs(["b", "n", "--out", "o"]).options.threshold, 0.03);
  assert.throws(() => parseCompareArgs(["b", "--out", "o"]), /usage: deno task compare/);
  assert.throws(() => parseCompareArgs(["b", "n"]), /usage/);
  assert.throws(() => parseCompareArgs(["b", "n", "--out", "o", "--seed=-1"]), /--seed -1/);
  assert.throws(() => parseCompareArgs(["b", "n", "--out", "o", "--seed", "1.5"]), /--seed 1.5/);
  assert.throws(
    () => parseCompareArgs(["b", "n", "--out", "o", "--resamples", "1e3"]),
    /--resamples 1e3: expected an integer/,
  );
  // Fewer resamples leave the interval's 2.5 % tails to a handful of draws: on the same
  // distribution a side (lognormal, 30 a side), 10 resamples called 19 % of cells different
  // at threshold 0, and 1 resample every one of them; 1,000 the nominal 4 %.
  assert.throws(
    () => parseCompareArgs(["b", "n", "--out", "o", "--resamples", "999"]),
    /--resamples 999: expected an integer from 1000 to 10000000/,
  );
  assert.equal(
    parseCompareArgs(["b", "n", "--out", "o", "--resamples", "1000"]).options.resamples,
    1000,
  );
  assert.throws(
    () => parseCompareArgs(["b", "n", "--out", "o", "--threshold", "abc"]),
    /--threshold abc/,
  );
  assert.throws(() => parseCompareArgs(["b", "n", "--out", "o", "--bogus"]), /bogus/);
});

Deno.test("compare refuses to write into an input dataset", async () => {
  const inside = await compare(THESIS, THESIS, "--out", join(THESIS, "cmp"));
  assert.equal(inside.code, 1);
  assert.match(
    inside.text,
    /error: --out .*data\/thesis\/cmp: is or lies inside the input .*data\/thesis/,
  );
  assert.equal(await Deno.stat(join(THESIS, "cmp")).catch(() => null), null);
  const same = await compare(THESIS, "data/thesis/", "--out", "./data/thesis");
  assert.equal(same.code, 1);
  assert.match(same.text, /is or lies inside the input/);
});

Deno.test("compare names the dataset and the cell of a latency that is not a number", async () => {
  const bad = await Deno.makeTempDir();
  await writeMeta(bad, {});
  await writePart(
    bad,
    "activations",
    "bad",
    activations([1, NaN, 3].map((wait_ms) => ({
      experiment: "concurrency",
      workload: "hello",
      runtime: "wasm",
      level: 2,
      source: "warm_samples",
      wait_ms,
    }))),
  );
  const run = await compare(THESIS, bad, "--out", await Deno.makeTempDir());
  assert.equal(run.code, 1);
  assert.match(
    run.text,
    new RegExp(
      // The dataset reader refuses it first, naming the part, the column and the row.
      `error: Cannot read dataset part ${bad}/activations/experiment=concurrency/runtime=wasm/` +
        "bad\\.parquet: column wait_ms: " +
        "row 2 is NaN, expected a finite number",
    ),
  );
});

Deno.test("compare names a folder that is not a dataset", async () => {
  const empty = await Deno.makeTempDir();
  const run = await compare(empty, THESIS, "--out", await Deno.makeTempDir());
  assert.equal(run.code, 1);
  assert.match(run.text, new RegExp(`Not a dataset: ${empty} has no dataset.json`));
});

Deno.test("report --baseline adds the comparison as a section and as files", async () => {
  const out = await Deno.makeTempDir();
  await buildReport({
    data: await scaledThesis(),
    baseline: THESIS,
    out,
    rsvgConvert: null,
    compare: { resamples: 500 },
    log: () => {},
  });
  const html = await Deno.readTextFile(join(out, "report.html"));
  assert.match(html, /<a href="#compare">Against the baseline<\/a>/);
  assert.match(html, /<section id="compare"><h2>Against the baseline<\/h2>/);
  // Sentences are escaped text: the apostrophe of "NEW's" as &#39; or as it is.
  assert.match(
    html,
    /<li>NEW(&#39;|')s Wasm cold-start latency under hello load is higher than BASE(&#39;|')s/,
  );
  const pooled = rowsOf(join(out, "compare", "compare.csv")).find((r) =>
    isWasmCold(r) && r.level === "all"
  )!;
  assert.equal(pooled.verdict, "slower");
  const md = await Deno.readTextFile(join(out, "report.md"));
  assert.match(md, /\n## Findings\n/);
  // Neither page nor Markdown carries the folders the datasets lie in.
  assert.match(html, /against BASE (data\/)?thesis, cell by cell/);
  for (const text of [html, md]) {
    assert.ok(!text.includes(ROOT) && !text.includes(await scaledThesis()));
  }
  // The comparison's figures: on the page (drawn from the inlined specs) and in compare/figures/.
  for (
    const id of [
      "compare_forest",
      "compare_ecdf_cold_start_wasm",
      "compare_levels_cold_start_hello_wasm",
    ]
  ) {
    assert.match(html, new RegExp(`data-figure="${id}"`));
    await Deno.stat(join(out, "compare", "figures", `${id}.json`));
    // Drawn as the report's own figures are (render/svg.ts), and linked from the page.
    const svg = await Deno.readTextFile(join(out, "compare", "figures", `${id}.svg`));
    assert.match(svg, /^<svg [^>]*width="672"[^]*<rect class="plot"[^]*<\/svg>\n$/);
    assert.match(html, new RegExp(`href="compare/figures/${id}\\.svg"`));
  }
  const forest = JSON.parse(
    await Deno.readTextFile(join(out, "compare", "figures", "compare_forest.json")),
  );
  const ratioOf = (name: string, row: string) => {
    const t = forest.data.find((t: { name: string }) => t.name === name);
    return t.x[t.y.indexOf(row)] as number;
  };
  // Slower Wasm cold starts shrink Docker/Wasm there; the warm latencies did not move.
  assert.ok(ratioOf("NEW", "cold_start, no load") < ratioOf("BASE", "cold_start, no load"));
  assert.equal(ratioOf("NEW", "concurrency, hash load"), ratioOf("BASE", "concurrency, hash load"));
  // Without a baseline, no such section.
  const plain = await Deno.makeTempDir();
  await buildReport({ data: THESIS, out: plain, exportFigures: false, log: () => {} });
  assert.doesNotMatch(await Deno.readTextFile(join(plain, "report.html")), /id="compare"/);
});

Deno.test("compare: names from data stay text in compare.csv and findings.md; figures written", async () => {
  // A runtime named like a spreadsheet formula with markup in it, in both datasets.
  const hostile = '=HYPERLINK("x")<script>';
  const dir = await Deno.makeTempDir();
  const ds = await readDataset(THESIS, { activationColumns: [...PIPELINE_COLUMNS, "run"] });
  await writeMeta(dir, ds.meta);
  await writePart(
    dir,
    "activations",
    "renamed",
    ds.activations.filter(pl.col("experiment").eq(pl.lit("cold_start"))).withColumns(
      pl.when(pl.col("runtime").eq(pl.lit("wasm"))).then(pl.lit(hostile))
        .otherwise(pl.col("runtime")).alias("runtime"),
    ),
  );
  const out = await Deno.makeTempDir();
  const run = await compare(dir, dir, "--out", out, "--resamples", "1000");
  assert.equal(run.code, 0, run.text);
  const csv = await Deno.readTextFile(join(out, "compare.csv"));
  assert.ok(csv.includes("cold_start"), csv.slice(0, 200));
  // Every cell starting with = is quoted text, never a formula.
  for (const line of csv.split("\n").slice(1).filter(Boolean)) {
    assert.doesNotMatch(line, /(^|,)=/, line);
  }
  assert.match(csv, /'=HYPERLINK/);
  const findings = await Deno.readTextFile(join(out, "findings.md"));
  assert.doesNotMatch(findings, /<script>/);
  const figures = [...Deno.readDirSync(join(out, "figures"))].map((e) => e.name);
  for (const ext of ["json", "svg", "pdf"]) {
    assert.ok(figures.includes(`compare_ecdf_cold_start_docker.${ext}`), figures.join(" "));
  }
  for (const name of figures) assert.match(name, /^[A-Za-z0-9_.-]+\.(json|svg|pdf)$/, name);
  // Every figure in all three forms; the names from data stay text in the SVGs.
  const stems = new Set(figures.map((f) => f.replace(/\.\w+$/, "")));
  assert.equal(figures.length, 3 * stems.size);
  for (const stem of stems) {
    const svg = await Deno.readTextFile(join(out, "figures", `${stem}.svg`));
    assert.doesNotMatch(svg, /<script/i);
  }
});

Deno.test("compare: imports without a level compare as one cell of level 0; none in common is said", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    // Production records: no concurrency level. NEW's cold starts take twice as long.
    const records = (scale: number) =>
      Array.from({ length: 60 }, (_, i) => ({
        activationId: `${scale}${String(i).padStart(31, "0")}`,
        annotations: [
          { key: "path", value: "guest/hello" },
          { key: "waitTime", value: 10 + (i % 7) },
          { key: "kind", value: "nodejs:20" },
          ...(i % 2 === 0 ? [{ key: "initTime", value: (200 + (i % 11) * 5) * scale }] : []),
        ],
        duration: 5,
        name: "hello",
        namespace: "guest",
        response: { status: "success", success: true },
        start: 1_700_000_000_000 + i * 1000,
        end: 1_700_000_000_005 + i * 1000,
      }));
    for (const [name, scale] of [["base", 1], ["new", 2]] as const) {
      await Deno.mkdir(join(tmp, `${name}-raw`));
      await Deno.writeTextFile(join(tmp, `${name}-raw`, "a.json"), JSON.stringify(records(scale)));
      const ingest = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "cli/ingest.ts", join(tmp, `${name}-raw`), "--out", join(tmp, name)],
        cwd: ROOT,
      }).output();
      assert.equal(ingest.code, 0, new TextDecoder().decode(ingest.stderr));
    }
    const run = await compare(
      join(tmp, "base"),
      join(tmp, "new"),
      "--out",
      join(tmp, "cmp"),
      "--resamples",
      RESAMPLES,
    );
    assert.equal(run.code, 0, run.text);
    const rows = rowsOf(join(tmp, "cmp", "compare.csv"));
    const cell = (e: string, level: string) =>
      rows.find((r) => r.experiment === e && String(r.level) === level);
    assert.deepEqual(
      ["0", "all"].map((l) => cell("cold_start", l)?.verdict),
      ["slower", "slower"],
    );
    assert.equal(cell("cold_start", "0")?.n_base, 30);
    assert.equal(cell("concurrency", "all")?.n_new, 30);
    // The thesis and an import share no cell: the findings say so, and why.
    const none = await compare(
      THESIS,
      join(tmp, "base"),
      "--out",
      join(tmp, "none"),
      "--resamples",
      RESAMPLES,
    );
    assert.equal(none.code, 0, none.text);
    assert.match(none.text, /compared 0 cells/);
    const findings = await Deno.readTextFile(join(tmp, "none", "findings.md"));
    assert.match(
      findings,
      /Nothing was compared: they share no experiment, workload, runtime and level \(BASE: \d+ groups/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
