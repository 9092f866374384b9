/// <reference lib="dom" />
/**
 * Strings a crafted dataset can carry, in every context whiskbench writes them to: HTML text
 * and attributes, LaTeX, Markdown, CSV cells, file names and paths. The corpus is the table
 * `PAYLOADS` in `_hostile_dataset.ts`; each check below runs on every entry of it, so a new
 * case is one line there. Then a report built from a dataset full of them: nothing written
 * outside `--out`, and the page, opened in headless Chromium, runs none of their script and
 * requests nothing.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import pl from "nodejs-polars";
import { buildReport } from "../cli/report.ts";
import { escapeLatex, escapeMarkdown, latexLabel, toLatex, toMarkdown } from "../pipeline/mod.ts";
import { csvSafe, csvSafeText } from "../pipeline/csv_safe.ts";
import { findChromium, withChromium } from "../render/chromium.ts";
import { escapeHtml, frameHtml, reportHtml } from "../render/html.ts";
import { outPath, safeName } from "../render/out_path.ts";
import { drawEveryPlot } from "./_browser.ts";
import type { Published } from "../verify/mod.ts";
import { filesUnder, PAYLOADS, writeHostileDataset } from "./_hostile_dataset.ts";

const CASES = Object.entries(PAYLOADS);
const chromium = findChromium();

Deno.test("hostile strings: HTML text and attributes hold no markup of the data", () => {
  for (const [name, text] of CASES) {
    assert.doesNotMatch(escapeHtml(text), /[<>"']|&(?!#\d+;)/, name);
    const html = frameHtml(pl.DataFrame({ [text]: [text] }));
    assert.equal(html.match(/</g)?.length, 14, `${name}: only the table's own tags`);
  }
});

Deno.test("hostile strings: LaTeX text runs no command and stays in its cell", () => {
  // What escaping may write; anything special left after removing these came from the data.
  const allowed = /\\text(backslash|asciitilde|asciicircum)\{\}|\\[&%$#_{}]|\{[[\]]\}/g;
  // The lines of the same table of a harmless name: the data may not add any.
  const plain =
    toLatex(pl.DataFrame({ x: ["x"] }), { caption: "x", label: "x" }).split("\n").length;
  for (const [name, text] of CASES) {
    const rest = escapeLatex(text).replace(allowed, "");
    assert.doesNotMatch(rest, /[\\&%$#_{}~^[\]\n\r]/, `${name}: ${rest}`);
    assert.ok(!rest.includes("\u0000"), `${name}: NUL`);
    assert.match(latexLabel(`tab:${text}`), /^tab:[A-Za-z0-9:._-]*$/, name);
    const tex = toLatex(pl.DataFrame({ [text]: [text] }), { caption: text, label: text });
    // Rows end a line with `\\` (a long header may break inside its \shortstack).
    assert.equal(tex.match(/ \\\\$/gm)?.length, 2, `${name}: header row and one data row`);
    assert.equal(tex.split("\n").length, plain, `${name}: no line break of the data`);
  }
});

Deno.test("hostile strings: Markdown text stays literal in one table cell", () => {
  for (const [name, text] of CASES) {
    const md = escapeMarkdown(text);
    assert.doesNotMatch(md, /[\n\r]/, name);
    assert.ok(!md.includes("\u0000"), `${name}: NUL`);
    assert.doesNotMatch(md.replace(/\\./g, ""), /[|`<>[\]\\]/, `${name}: ${md}`);
    const table = toMarkdown(pl.DataFrame({ [text]: [text] }));
    assert.equal(table.split("\n").length, 4, `${name}: header, rule, one row`);
    assert.equal(table.replace(/\\./g, "").match(/\|/g)?.length, 6, `${name}: two columns`);
  }
});

Deno.test("hostile strings: CSV cells never start a formula; numbers stay numbers", () => {
  for (const [name, text] of CASES) {
    assert.doesNotMatch(csvSafeText(text), /^[=+\-@\t\r]/, name);
  }
  const safe = csvSafe(pl.DataFrame({
    runtime: [PAYLOADS.formula, PAYLOADS.formulaAt, "-1.5", "+2", "wasm", null],
    mean: [-1.5, 2, 3, 4, 5, 6],
    [PAYLOADS.formulaPlus]: ["a", "b", "c", "d", "e", "f"],
  }));
  assert.deepEqual(safe.getColumn("runtime").toArray(), [
    `'${PAYLOADS.formula}`,
    `'${PAYLOADS.formulaAt}`,
    "-1.5",
    "+2",
    "wasm",
    null,
  ]);
  assert.deepEqual(safe.getColumn("mean").toArray(), [-1.5, 2, 3, 4, 5, 6]);
  assert.deepEqual(safe.columns, ["runtime", "mean", `'${PAYLOADS.formulaPlus}`]);
});

Deno.test("hostile strings: file names of a safe alphabet, distinct, and kept inside --out", () => {
  const names = CASES.map(([, text]) => safeName(text));
  for (const [i, [name]] of CASES.entries()) {
    assert.match(names[i], /^[a-z0-9_][a-z0-9_.-]{0,99}$/, name);
    assert.ok(outPath("/out", "tables", `${names[i]}.csv`).startsWith("/out/tables/"), name);
  }
  assert.equal(new Set(names).size, names.length, "two payloads share a file name");
  assert.notEqual(safeName("Docker"), safeName("docker"));
  assert.equal(safeName("cold_start_docker"), "cold_start_docker", "safe names are kept");
  for (const escape of ["..", "../x", "a/../../x", "../report-other/x", ""]) {
    assert.throws(() => outPath("/out/report", escape), RangeError, escape);
  }
  assert.equal(outPath("/out/report", "/etc/passwd"), "/out/report/etc/passwd");
  assert.equal(outPath("report", "tables", "a.csv"), "report/tables/a.csv");
});

Deno.test("report.html: its CSP allows exactly its own inline scripts, by hash, and no request", () => {
  const html = reportHtml({
    dataset: PAYLOADS.closeScript,
    tables: [],
    figures: [],
    thesisTables: [],
    ownData: false,
    exportNote: PAYLOADS.script,
    provenance: { note: PAYLOADS.closeScript },
    plotlyJs: "window.Plotly = {}; // </script> inside the library",
  });
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(policy, "no CSP meta");
  const csp = policy.replaceAll("&#39;", "'");
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 2, "plotly.js and the page's script, nothing of the data");
  const hashes = scripts.map((s) =>
    `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`
  );
  assert.equal(
    csp,
    `default-src 'none'; script-src ${hashes.join(" ")}; style-src 'unsafe-inline'; ` +
      "img-src data:; font-src data:; base-uri 'none'; form-action 'none'",
  );
  assert.ok(html.indexOf("Content-Security-Policy") < html.indexOf("<script"), "CSP first");
});

/** published.json of the hostile dataset: every payload as a table id, label and title. */
function hostilePublished(): Published {
  const texts = CASES.map(([, t]) => t);
  const tables = texts.map((id, i) => ({
    id,
    label: texts[(i + 1) % texts.length],
    title: texts[(i + 2) % texts.length],
    kind: "cold_start",
    runtime: PAYLOADS.script,
    rows: [{ level: "1", cov_pct: "1.0", sd: "2.0", mean: "3.0" }],
  }));
  return {
    source: PAYLOADS.fetch,
    tables: [
      ...tables,
      // A table id that once overwrote a .tex file above --out.
      { ...tables[0], id: "../../../../victim" },
      {
        id: `${PAYLOADS.traversal}/actions`,
        label: PAYLOADS.attribute,
        title: PAYLOADS.latexInput,
        kind: "actions",
        runtime: PAYLOADS.formula,
        rows: [{ file: PAYLOADS.formulaAt, lines_of_code: "1", size_kb: "1" }],
      },
    ],
  };
}

Deno.test({
  name: "report of a hostile dataset: nothing outside --out, no script runs, nothing requested",
  ignore: !chromium && !Deno.env.get("CI"),
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  assert.ok(chromium, "CI must have Chromium: deno task setup installs it");
  const base = await Deno.makeTempDir({ prefix: "whiskbench-hostile-" });
  const deep = join(base, "a/b/c/d");
  const data = join(deep, "ds"), out = join(deep, "out");
  await Deno.mkdir(deep, { recursive: true });
  const victim = join(base, "a/b/c/victim.tex");
  await Deno.writeTextFile(victim, "mine\n");
  await writeHostileDataset(data, {
    meta: {
      name: PAYLOADS.script,
      source: PAYLOADS.attribute,
      actions: [{
        runtime: PAYLOADS.formula,
        file: PAYLOADS.formulaAt,
        action: PAYLOADS.markdown,
        lines_of_code: 1,
        size_kb: 1,
        type: PAYLOADS.latexInput,
      }],
    },
    runtimes: [
      "docker",
      PAYLOADS.script,
      PAYLOADS.traversal,
      PAYLOADS.attribute,
      PAYLOADS.formula,
      PAYLOADS.svg,
    ],
    workloads: [PAYLOADS.closeScript, PAYLOADS.latexBreak, PAYLOADS.fetch],
    published: hostilePublished(),
  });
  // Figures exported as SVG (render/svg.ts) too: every payload goes through the renderer.
  const r = await buildReport({ data, out, rsvgConvert: null, log: () => {} });
  assert.ok(r.figures >= 6 && r.tables >= 6, `${r.figures} figures, ${r.tables} tables`);
  assert.equal(r.exported, r.figures);

  // Nothing written outside --out, nothing overwritten, every name of the safe alphabet; the
  // dataset's runtimes in their partition folders, escaped as Hive does.
  const runtimeFolders = [
    "docker",
    "%3Cscript%3Ewindow.pwned%3D%22script%22%3C%2Fscript%3E",
    "..%2F..%2F..%2F..%2Fx",
    "%22%3E%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D%27attribute%27%22%3E",
    "%3Dcmd%7C%27%20%2FC%20calc%27!A0",
    "%3Csvg%20onload%3D%22window.pwned%3D%27svg%27%22%3E%3Ca%20href%3D%22javascript%3Aalert(1)" +
    "%22%3Ea%3C%2Fa%3E%3C%2Fsvg%3E",
  ];
  assert.deepEqual(
    await filesUnder(base),
    [
      ...["cold_start", "concurrency"].flatMap((e) =>
        runtimeFolders.map((r) =>
          `a/b/c/d/ds/activations/experiment=${e}/runtime=${r}/part-000.parquet`
        )
      ),
      "a/b/c/d/ds/dataset.json",
      "a/b/c/d/ds/published.json",
      ...(await filesUnder(out)).map((f) => `a/b/c/d/out/${f}`),
      "a/b/c/victim.tex",
    ].sort(),
  );
  assert.equal(await Deno.readTextFile(victim), "mine\n");
  // Every name from the safe alphabet, but the report's own marker (dataset/folder.ts).
  for (const f of (await filesUnder(out)).filter((f) => f !== ".whiskbench")) {
    assert.match(f, /^((tables|tables\/thesis|figures)\/)?[a-z0-9_][a-z0-9_.-]*$/, f);
  }

  // The text files: formulas defused, no LaTeX command of the data, no Markdown markup.
  const actions = await Deno.readTextFile(join(out, "tables/actions.csv"));
  assert.ok(actions.split("\n")[1].startsWith(`'${PAYLOADS.formula}`), actions);
  assert.ok(actions.includes(`,'${PAYLOADS.formulaAt},`), actions);
  for (const f of await filesUnder(out)) {
    const text = await Deno.readTextFile(join(out, f));
    if (f.endsWith(".tex")) {
      assert.doesNotMatch(text, /\\(input|write18|end\{tabular\}\\)/, f);
      // On a line of its own, or after the caption inside a longtable (a long table's form).
      assert.match(text, /(^|\})\\label\{tab:[A-Za-z0-9:._-]*\}( \\\\)?$/m, f);
    }
    if (f.endsWith(".md")) {
      // Code blocks show their text as it is: markup counts only outside them.
      const prose = text.replace(/^(`{3,})\n[\s\S]*?^\1$/gm, "");
      assert.doesNotMatch(prose, /(?<!\\)<(script|img|svg|b)\b/i, f);
    }
    if (f.endsWith(".csv")) assert.doesNotMatch(text, /(^|,)[=+@]/m, f);
    if (f.endsWith(".svg")) {
      // The payloads' markup is text: no element or event attribute of theirs.
      assert.doesNotMatch(text, /<(script|a|img|foreignObject|iframe|svg (?!xmlns=))\b/i, f);
      assert.doesNotMatch(text, /<[^>]*\son\w+\s*=/i, f);
    }
  }
  assert.ok((await filesUnder(out)).some((f) => f.endsWith(".svg")), "figures exported");

  const html = await Deno.readTextFile(r.html);
  const seen = await withChromium(chromium, async (browser) => {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000); // a step that hangs fails the test, never CI
    // Every request is seen; one that got past the renderer's CSP check reaches the route,
    // which lets only the page itself through, so none leaves the machine.
    let url = "";
    const requests: string[] = [];
    const routed: string[] = [];
    const failed: string[] = [];
    page.on("request", (q) => requests.push(q.url()));
    page.on("requestfailed", (q) => failed.push(`${q.url()} ${q.failure()?.errorText}`));
    await page.route("**/*", (route) => {
      routed.push(route.request().url());
      return route.request().url() === url ? route.continue() : route.abort();
    });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    const open = async (path: string) => {
      url = `file://${path}`;
      await page.goto(url);
      const plots = await page.evaluate(() => document.querySelectorAll(".plot").length);
      await drawEveryPlot(page);
      await page.waitForFunction(
        (n) =>
          [...document.querySelectorAll(".plot")].filter((e) => e.querySelector(".main-svg"))
            .length === n,
        plots,
        { timeout: 60_000 },
      );
      // Hovering is where attribute handlers and plotly's hover labels (trace names) fire.
      for (const el of await page.locator("h1, figcaption, .plot .nsewdrag").all()) {
        await el.hover({ force: true, timeout: 1000 });
      }
      return page.evaluate(() => ({
        // deno-lint-ignore no-explicit-any
        pwned: (globalThis as any).pwned,
        title: document.title,
        plots: [...document.querySelectorAll(".plot")].filter((e) => e.querySelector(".main-svg"))
          .length,
        scripts: document.scripts.length,
      }));
    };
    const hostile = await open(Deno.realPathSync(r.html));
    const hostileRequests = [...requests];
    const hostileErrors = [...errors];

    // The CSP on its own: markup put into the page past the escaping still runs nothing.
    const injected = join(out, "injected.html");
    await Deno.writeTextFile(
      injected,
      html.replace(
        "<body>",
        `<body><script>window.pwned="inline"</script><img src=x onerror="window.pwned='img'">` +
          `<img src="http://127.0.0.1:9/i.png"><script src="http://127.0.0.1:9/x.js"></script>`,
      ),
    );
    requests.length = routed.length = failed.length = 0;
    errors.length = 0;
    const csp = await open(Deno.realPathSync(injected));
    await Deno.remove(injected);
    const cspRequests = requests.filter((u) => u !== url).sort();
    return {
      hostile,
      hostileRequests,
      hostileErrors,
      csp,
      cspErrors: [...errors],
      cspRequests,
      routed,
      failed,
    };
  });
  assert.equal(seen.hostile.pwned, undefined, "a script of the data ran");
  assert.equal(seen.hostile.title, `whiskbench report: ${PAYLOADS.script}`, "shown as text");
  assert.equal(seen.hostile.plots, r.figures);
  assert.equal(seen.hostile.scripts, 3, "plotly.js, the figure specs and the page's script");
  assert.deepEqual(seen.hostileRequests, [`file://${Deno.realPathSync(r.html)}`]);
  assert.deepEqual(seen.hostileErrors, []);
  assert.equal(seen.csp.pwned, undefined, "the CSP let an injected script run");
  assert.equal(seen.csp.plots, r.figures, "the page's own scripts still run");
  assert.ok(
    seen.cspErrors.some((e) => /Content Security Policy/.test(e)),
    `no CSP violation reported: ${seen.cspErrors}`,
  );
  // The injected page asks for its three resources and the browser blocks each by the CSP,
  // before any of them reaches the network stack.
  const injectedUrl = `file://${Deno.realPathSync(out)}/injected.html`;
  assert.deepEqual(seen.routed, [injectedUrl]);
  assert.deepEqual(seen.cspRequests, [
    `file://${Deno.realPathSync(out)}/x`,
    "http://127.0.0.1:9/i.png",
    "http://127.0.0.1:9/x.js",
  ]);
  assert.deepEqual(
    seen.failed.sort(),
    seen.cspRequests.map((u) => `${u} csp`),
  );
  await Deno.remove(base, { recursive: true });
});
