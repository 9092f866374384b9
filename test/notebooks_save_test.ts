/**
 * The notebooks as a researcher's JupyterLab leaves them: a save adds a Plotly renderer's PNG
 * beside every figure and metadata, opening them creates .ipynb_checkpoints/. `deno task
 * notebooks --clean` takes the save's additions out again, byte for byte; git, fmt and lint
 * ignore the checkpoints.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { cleanNotebooks, listNotebooks } from "../cli/notebooks.ts";
import { PROJECT_ROOT } from "../notebooks/_params.ts";

const PLOTLY = "application/vnd.plotly.v1+json";
// A 1x1 PNG, as the renderer's snapshot would be (its size does not matter here).
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** What a JupyterLab session adds to a notebook it ran and saved (as the issue saw it, and
 * execution counts going on from an earlier run in the same kernel). */
// deno-lint-ignore no-explicit-any
function asSavedByJupyterLab(nb: any): number {
  let pngs = 0;
  nb.metadata.widgets = { "application/vnd.jupyter.widget-state+json": { state: {} } };
  for (const cell of nb.cells) {
    cell.metadata.trusted = true;
    cell.metadata.jupyter = { source_hidden: false };
    if (cell.cell_type !== "code") continue;
    cell.metadata.execution = { "iopub.status.idle": "2026-11-30T22:00:00.000Z" };
    cell.metadata.scrolled = true;
    // Run All in a kernel that had run the notebook once already.
    cell.execution_count += 7;
    for (const output of cell.outputs) {
      if (!output.data?.[PLOTLY]) continue;
      output.data["image/png"] = PNG;
      output.metadata = { "image/png": { width: 700, height: 450 } };
      pngs++;
    }
  }
  return pngs;
}

Deno.test("deno task notebooks --clean turns a notebook saved by JupyterLab back into the committed one", async () => {
  const [saved, out] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const paths = (await listNotebooks()).filter((p) => /0[12]_/.test(basename(p)));
  for (const path of paths) {
    const nb = JSON.parse(await Deno.readTextFile(path));
    assert.ok(asSavedByJupyterLab(nb) > 0, path);
    await Deno.writeTextFile(join(saved, basename(path)), JSON.stringify(nb, null, 1) + "\n");
  }
  const cli = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli/notebooks.ts",
      "--clean",
      "--out",
      out,
      ...paths.map((p) => join(saved, basename(p))),
    ],
    cwd: PROJECT_ROOT,
  }).output();
  const said = new TextDecoder().decode(cli.stdout);
  assert.equal(cli.code, 0, new TextDecoder().decode(cli.stderr));
  assert.match(said, /01_cold_start\.ipynb -> .*: \d+ item\(s\) of save churn taken out/);
  // A notebook run only in part keeps its counts: that is a difference to commit or not.
  const partial = JSON.parse(await Deno.readTextFile(paths[0]));
  const firstCode = partial.cells.find((c: { cell_type: string }) => c.cell_type === "code");
  firstCode.execution_count = null;
  const partialPath = join(saved, "partial.ipynb");
  await Deno.writeTextFile(partialPath, JSON.stringify(partial, null, 1) + "\n");
  await cleanNotebooks([partialPath], { progress: false });
  const counts = JSON.parse(await Deno.readTextFile(partialPath)).cells
    .filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { execution_count: number | null }) => c.execution_count);
  assert.deepEqual(counts, [null, 2, 3, 4, 5, 6]);
  for (const path of paths) {
    const cleaned = await Deno.readTextFile(join(out, basename(path)));
    assert.ok(cleaned === await Deno.readTextFile(path), `${path}: differs after --clean`);
  }
  // In place, and a clean notebook stays as it is.
  const copy = join(saved, basename(paths[0]));
  await cleanNotebooks([copy], { progress: false });
  await cleanNotebooks([copy], { progress: false });
  assert.ok(await Deno.readTextFile(copy) === await Deno.readTextFile(paths[0]));
  // What is not a notebook is named, and left as it is.
  const broken = join(saved, "broken.ipynb");
  await Deno.writeTextFile(broken, '{"cells": [');
  await assert.rejects(
    cleanNotebooks([broken], { progress: false }),
    /broken\.ipynb: cannot clean, not a readable notebook/,
  );
  assert.equal(await Deno.readTextFile(broken), '{"cells": [');
  for (const dir of [saved, out]) await Deno.remove(dir, { recursive: true });
});

Deno.test("git ignores JupyterLab's checkpoints and the researcher's notebooks/params.json", async () => {
  for (
    const path of [
      "notebooks/.ipynb_checkpoints/01_cold_start-checkpoint.ipynb",
      "notebooks/params.json",
    ]
  ) {
    const { code } = await new Deno.Command("git", {
      args: ["check-ignore", "-q", "--no-index", path],
      cwd: PROJECT_ROOT,
    }).output();
    assert.equal(code, 0, `${path} is not ignored by git`);
  }
});

Deno.test("deno fmt --check, lint and check pass with a JupyterLab checkpoints folder present", async () => {
  // A copy of the project's configuration in a folder of its own, so that the checks see
  // exactly these files: checkpoints of a notebook and of a module, neither fmt- nor lint-clean.
  const root = await Deno.makeTempDir({ prefix: "whiskbench-checkpoints-" });
  await Deno.copyFile(join(PROJECT_ROOT, "deno.json"), join(root, "deno.json"));
  const checkpoints = join(root, "notebooks", ".ipynb_checkpoints");
  await Deno.mkdir(checkpoints, { recursive: true });
  await Deno.copyFile(
    join(PROJECT_ROOT, "notebooks", "01_cold_start.ipynb"),
    join(checkpoints, "01_cold_start-checkpoint.ipynb"),
  );
  const messy = "export const  x = 1\nlet unused: any = 2\n";
  await Deno.writeTextFile(join(checkpoints, "_params-checkpoint.ts"), messy);
  await Deno.writeTextFile(join(root, "notebooks", "ok.ts"), "export const x = 1;\n");
  const deno = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: root,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    }).output();
    return { code: out.code, text: new TextDecoder().decode(out.stderr) };
  };
  for (const args of [["fmt", "--check"], ["lint"], ["check", "."]]) {
    const { code, text } = await deno(...args);
    assert.equal(code, 0, `deno ${args.join(" ")}: ${text}`);
  }
  // The same module outside the checkpoints fails both: the checks did look at the folder.
  await Deno.writeTextFile(join(root, "notebooks", "messy.ts"), messy);
  assert.equal((await deno("fmt", "--check")).code, 1);
  assert.equal((await deno("lint")).code, 1);
  await Deno.remove(root, { recursive: true });
});
