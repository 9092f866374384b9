/**
 * DESIGN.md's layering as a test: data flows one way, so a module may import only from its
 * own folder or from a lower layer, and a folder's private modules (`_name.ts`) only from that
 * folder. The notebooks' code cells are read too.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(new URL("..", import.meta.url).pathname);

/** Lower numbers are lower layers; folders of one layer do not import each other. */
export const LAYERS: Record<string, number> = {
  dataset: 0,
  ingest: 1,
  pipeline: 1,
  verify: 2,
  collectors: 2,
  render: 3,
  bench: 4,
  cli: 5,
  notebooks: 5,
  tools: 5,
  test: 6,
};

/** Import specifiers of a module's text (static, dynamic and re-exports). */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;
  for (const m of text.matchAll(re)) found.push(m[1]);
  return found;
}

/** Every import of one folder's module into another that breaks the layering. */
export function violations(
  files: { path: string; text: string }[],
): string[] {
  const bad: string[] = [];
  for (const { path, text } of files) {
    const from = relative(ROOT, path).split("/")[0];
    for (const spec of importsOf(text)) {
      if (!spec.startsWith(".")) continue;
      const target = relative(ROOT, resolve(dirname(path), spec));
      const to = target.split("/")[0];
      if (to === from || !(to in LAYERS)) continue;
      const where = `${relative(ROOT, path)} imports ${target}`;
      if (!(from in LAYERS)) continue;
      if (LAYERS[to] >= LAYERS[from]) {
        bad.push(`${where}: ${to} (layer ${LAYERS[to]}) is not below ${from} (${LAYERS[from]})`);
      }
      const base = target.split("/").pop() ?? "";
      if (base.startsWith("_") && from !== "test") bad.push(`${where}: private to ${to}/`);
    }
  }
  return bad;
}

async function sources(): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  async function walk(dir: string) {
    for await (const e of Deno.readDir(dir)) {
      if (e.name === "node_modules" || e.name.startsWith(".") || e.name === "data") continue;
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts")) out.push({ path, text: await Deno.readTextFile(path) });
      else if (e.name.endsWith(".ipynb")) {
        const nb = JSON.parse(await Deno.readTextFile(path)) as {
          cells: { cell_type: string; source: string[] | string }[];
        };
        const code = nb.cells.filter((c) => c.cell_type === "code")
          .map((c) => Array.isArray(c.source) ? c.source.join("") : c.source).join("\n");
        out.push({ path, text: code });
      }
    }
  }
  await walk(ROOT);
  return out;
}

Deno.test("no module imports a higher layer or another folder's private module", async () => {
  const files = await sources();
  assert.ok(files.length > 100, `read ${files.length} modules`);
  assert.deepEqual(violations(files), []);
});

Deno.test("the layering check catches an upward and a private import", () => {
  const bad = violations([
    { path: join(ROOT, "dataset/x.ts"), text: `import { a } from "../pipeline/mod.ts";` },
    { path: join(ROOT, "pipeline/y.ts"), text: `export { b } from "../ingest/mod.ts";` },
    { path: join(ROOT, "cli/z.ts"), text: `import "../pipeline/_figure_style.ts";` },
    { path: join(ROOT, "cli/ok.ts"), text: `import { c } from "../pipeline/mod.ts";` },
    { path: join(ROOT, "render/d.ts"), text: `const m = await import("../cli/report.ts");` },
  ]);
  assert.equal(bad.length, 4, bad.join("\n"));
  assert.match(bad[0], /dataset\/x.ts imports pipeline\/mod.ts/);
  assert.match(bad[1], /pipeline\/y.ts imports ingest\/mod.ts/);
  assert.match(bad[2], /private to pipeline/);
  assert.match(bad[3], /render\/d.ts imports cli\/report.ts/);
});
