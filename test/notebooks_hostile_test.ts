/**
 * The notebooks on a crafted dataset (test/_hostile_dataset.ts): executed headlessly as
 * `deno task notebooks --data DIR --baseline DIR --out OUT` runs them, every Markdown output keeps
 * the dataset's strings as text (no HTML tag, link or image of theirs outside a code span) and
 * every HTML output holds no element of theirs. A notebook's outputs are shown by JupyterLab,
 * VS Code and nbviewer, so a runtime named `<script>` must not become one there.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { executeNotebooks, listNotebooks } from "../cli/notebooks.ts";
import { PAYLOADS, writeHostileDataset } from "./_hostile_dataset.ts";

// deno-lint-ignore no-explicit-any
type Output = Record<string, any>;

/** Markdown without its code blocks and code spans, whose text is shown as it is. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(`{3,})[^\n]*\n[^]*?^\1$/gm, "")
    .replace(/(`+)[^]*?\1/g, "");
}

Deno.test("notebooks of a hostile dataset: its strings stay text in every Markdown and HTML output", async () => {
  const base = await Deno.makeTempDir({ prefix: "whiskbench-hostile-notebooks-" });
  const data = join(base, "ds"), out = join(base, "out");
  await writeHostileDataset(data, {
    meta: {
      name: PAYLOADS.script,
      source: PAYLOADS.markdown,
      actions: [{
        runtime: PAYLOADS.attribute,
        file: PAYLOADS.fence,
        action: PAYLOADS.markdown,
        lines_of_code: 1,
        size_kb: 1,
        type: PAYLOADS.newline,
      }],
    },
    runtimes: [
      "docker",
      "wasm",
      PAYLOADS.script,
      PAYLOADS.attribute,
      PAYLOADS.svg,
      PAYLOADS.markdown,
      PAYLOADS.fence,
    ],
    workloads: ["hello", PAYLOADS.closeScript, PAYLOADS.fetch, PAYLOADS.markdown],
  });
  try {
    await executeNotebooks(await listNotebooks(), {
      out,
      data,
      baseline: data,
      progress: false,
    });
    let markdown = 0, html = 0;
    const escaped = new Set<string>();
    for (const path of await listNotebooks(out)) {
      const nb = JSON.parse(await Deno.readTextFile(path));
      for (const cell of nb.cells) {
        for (const o of (cell.outputs ?? []) as Output[]) {
          const where = `${path}, cell ${cell.id}`;
          const md = o.data?.["text/markdown"];
          if (md !== undefined) {
            markdown++;
            const text = prose([md].flat().join(""));
            assert.doesNotMatch(text, /(?<!\\)<(script|img|svg|b|a)\b/i, where);
            assert.doesNotMatch(text, /(?<!\\)\]\(/, `${where}: a link or image of the data`);
            for (const tag of ["script", "img", "svg"]) {
              if (text.includes(`\\<${tag}`)) escaped.add(tag);
            }
          }
          const h = o.data?.["text/html"];
          if (h !== undefined) {
            html++;
            const text = [h].flat().join("");
            assert.doesNotMatch(text, /<(script|svg|b|a|iframe)\b/i, where);
            // The one image: a figure's static SVG, its alt text escaped.
            for (const img of text.match(/<img\b(?:[^>"]|"[^"]*")*>/gi) ?? []) {
              assert.match(
                img,
                /^<img alt="[^"<]*" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+">$/,
                where,
              );
            }
          }
        }
      }
    }
    // The payloads reached the outputs (escaped), so the checks above had something to check.
    assert.deepEqual([...escaped].sort(), ["img", "script", "svg"]);
    assert.ok(markdown > 50 && html > 20, `${markdown} Markdown, ${html} HTML outputs`);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
