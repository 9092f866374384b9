/**
 * What `deno task report` prints: the whole scorecard for the thesis (its own published
 * numbers), one line for any other dataset, whose numbers the thesis's errata do not grade.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;

async function run(args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "cli/report.ts"), ...args, "--no-export"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: r.code,
    out: new TextDecoder().decode(r.stdout),
    err: new TextDecoder().decode(r.stderr),
  };
}

Deno.test("report prints one line on the thesis's numbers for another dataset, the scorecard for the thesis", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-summary-" });
  const raw = join(home, "raw");
  await Deno.mkdir(raw);
  for (const name of ["1_wasm_cold_start.log", "2_wasm_cold_start.log"]) {
    await Deno.copyFile(join(ROOT, "data/raw/thesis", name), join(raw, name));
  }
  const ingest = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "cli/ingest.ts"), raw, "--out", join(home, "ds")],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(ingest.code, 0, new TextDecoder().decode(ingest.stderr));

  const other = await run(["--data", join(home, "ds"), "--out", join(home, "rep")]);
  assert.equal(other.code, 0, other.err);
  const lines = other.out.trim().split("\n");
  assert.equal(lines.length, 2, other.out); // the summary and the "wrote ..." line
  assert.match(
    lines[0],
    /^the thesis's \d+ published cells stand beside this dataset's numbers \(\d+ computed from it/,
  );
  assert.match(lines[0], /not graded/);
  assert.doesNotMatch(other.out, /cause unknown|\[off\]/);

  const thesis = await run(["--out", join(home, "thesis-report")]);
  assert.equal(thesis.code, 0, thesis.err);
  assert.match(thesis.out, /^published cells: 989 /m);
  assert.match(thesis.out, /exact at printed precision: 964/);
  await Deno.remove(home, { recursive: true });
});
