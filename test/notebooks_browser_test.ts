/**
 * A notebook as a researcher uses it, in a real Jupyter front end driven by Chromium: Debian's
 * classic Notebook server (`jupyter-notebook`; JupyterLab is not packaged by Debian). It opens a
 * copy of 01_cold_start, picks the project's kernel by itself, runs every cell with no error,
 * shows the figures (the static fallback: this front end has no Plotly renderer), and saves;
 * after `deno task notebooks --clean` the saved copy is byte for byte the committed notebook,
 * and `deno fmt --check` and `deno lint` pass with the server's checkpoints folder present.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanNotebooks, NOTEBOOK_DIR } from "../cli/notebooks.ts";
import { installKernel, KERNEL_NAME } from "../cli/kernel.ts";
import { PROJECT_ROOT } from "../notebooks/_params.ts";
import { findChromium, withChromium } from "../render/chromium.ts";

const SERVER = "/usr/bin/jupyter-notebook";
const chromium = findChromium();
const hasServer = (() => {
  try {
    return Deno.statSync(SERVER).isFile;
  } catch {
    return false;
  }
})();

/** A free TCP port on 127.0.0.1. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

/** Polls `url` until it answers 200, or throws after `timeoutMs`. */
async function untilUp(url: string, server: Deno.ChildProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  server.status.then(() => exited = true);
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Jupyter server did not answer at ${url}${exited ? " (it exited)" : ""}`);
}

async function run(cmd: string, args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(cmd, { args, cwd: PROJECT_ROOT, env: { NO_COLOR: "1" } })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test({
  name: "a notebook run and saved in a Jupyter front end is the committed one after --clean",
  ignore: (!chromium || !hasServer) && !Deno.env.get("CI"),
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  assert.ok(chromium && hasServer, "CI must have Chromium and jupyter-notebook: deno task setup");
  const original = join(NOTEBOOK_DIR, "01_cold_start.ipynb");
  // A copy beside the notebooks (the kernel finds deno.json and ./_display.ts from there), so
  // that the committed notebook is never touched, whatever happens.
  const name = `_browser_${crypto.randomUUID().slice(0, 8)}.ipynb`;
  const copy = join(NOTEBOOK_DIR, name);
  const checkpoint = join(
    NOTEBOOK_DIR,
    ".ipynb_checkpoints",
    name.replace(".ipynb", "-checkpoint.ipynb"),
  );
  const checkpoints = join(NOTEBOOK_DIR, ".ipynb_checkpoints");
  const hadCheckpoints = await Deno.stat(checkpoints).then(() => true, () => false);
  const jupyter = await Deno.makeTempDir({ prefix: "whiskbench-jupyter-" });
  await installKernel(jupyter);
  await Deno.copyFile(original, copy);
  const port = freePort(), token = crypto.randomUUID();
  const server = new Deno.Command(SERVER, {
    args: [
      "--no-browser",
      "--allow-root",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${PROJECT_ROOT}`,
    ],
    env: {
      JUPYTER_PATH: jupyter,
      JUPYTER_DATA_DIR: join(jupyter, "data"),
      JUPYTER_CONFIG_DIR: join(jupyter, "config"),
      JUPYTER_RUNTIME_DIR: join(jupyter, "runtime"),
      JUPYTER_PLATFORM_DIRS: "1",
      IPYTHONDIR: join(jupyter, "ipython"),
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const serverLog = new Response(server.stderr).text();
  try {
    const base = `http://127.0.0.1:${port}`;
    await untilUp(`${base}/api/status?token=${token}`, server);
    const seen = await withChromium(chromium!, async (browser) => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${base}/notebooks/notebooks/${name}?token=${token}`);
      // deno-lint-ignore no-explicit-any
      type W = any;
      await page.waitForFunction(
        () => (globalThis as W).Jupyter?.notebook?.kernel?.is_connected?.(),
        null,
        {
          timeout: 120_000,
        },
      );
      const kernel = await page.evaluate(() => (globalThis as W).Jupyter.notebook.kernel.name);
      await page.evaluate(() => (globalThis as W).Jupyter.notebook.execute_all_cells());
      // Done when every code cell has its number (a running or queued cell shows "*") and
      // the kernel is idle; on a time-out, say where the cells were.
      // And when every cell holds as many outputs as the committed notebook's: outputs come on
      // the iopub channel, the cell's reply on the shell channel, so the reply may come first.
      const expected = JSON.stringify(
        (JSON.parse(await Deno.readTextFile(original)).cells as { outputs?: unknown[] }[])
          .map((c) => c.outputs?.length ?? 0),
      );
      const state = () =>
        page.evaluate(() => {
          const nb = (globalThis as W).Jupyter.notebook;
          return {
            prompts: nb.get_cells().filter((c: W) => c.cell_type === "code")
              .map((c: W) => c.input_prompt_number ?? null),
            idle: (globalThis as W).document.querySelector("#kernel_indicator_icon")
              ?.classList.contains("kernel_idle_icon") ?? false,
            outputs: JSON.stringify(
              nb.toJSON().cells.map((c: W) => c.outputs?.length ?? 0),
            ),
          };
        });
      const deadline = Date.now() + 300_000;
      let now = await state();
      while (
        !(now.idle && now.prompts.every((p: unknown) => typeof p === "number") &&
          now.outputs === expected)
      ) {
        if (Date.now() > deadline) throw new Error(`cells not done: ${JSON.stringify(now)}`);
        await page.waitForTimeout(500);
        now = await state();
      }
      const figures = await page.$$eval(
        ".output_area img[src^='data:image/svg+xml']",
        (imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
      );
      await page.evaluate(() => (globalThis as W).Jupyter.notebook.save_notebook());
      await page.waitForFunction(() => !(globalThis as W).Jupyter.notebook.dirty, null, {
        timeout: 60_000,
      });
      const nb = await page.evaluate(() => (globalThis as W).Jupyter.notebook.toJSON());
      return { kernel, figures, nb, errors };
    });
    assert.equal(seen.kernel, KERNEL_NAME);
    // deno-lint-ignore no-explicit-any
    const outputs = seen.nb.cells.flatMap((c: any) => c.outputs ?? []);
    // deno-lint-ignore no-explicit-any
    assert.deepEqual(outputs.filter((o: any) => o.output_type === "error"), []);
    assert.deepEqual(seen.errors, []);
    assert.equal(seen.figures.length, 3, "Figures 5, 6 and the explore cell's");
    assert.ok(seen.figures.every((w) => w > 0), "figures drawn");
    // The save reached the file; --clean makes it the committed notebook again.
    assert.notEqual(await Deno.readTextFile(copy), "");
    await cleanNotebooks([copy], { progress: false });
    const saved = await Deno.readTextFile(copy), committed = await Deno.readTextFile(original);
    if (saved !== committed) {
      // Say where, so that a failure on a CI machine can be understood from its log alone.
      const a = saved.split("\n"), b = committed.split("\n");
      const at = a.findIndex((line, i) => line !== b[i]);
      assert.fail(
        `${name}: differs from notebooks/01_cold_start.ipynb after a save and --clean, ` +
          `first at line ${at + 1}:\n  saved:     ${a[at]?.slice(0, 300)}\n  committed: ${
            b[at]?.slice(0, 300)
          }`,
      );
    }
    assert.ok(
      await Deno.readTextFile(copy) === await Deno.readTextFile(original),
      `${name}: differs from notebooks/01_cold_start.ipynb after a save and --clean`,
    );
    const status = await run("git", ["status", "--porcelain", "--", "notebooks/"]);
    assert.deepEqual(status.text.trim().split("\n"), [`?? notebooks/${name}`], status.text);
    assert.ok((await Deno.stat(checkpoint)).isFile, "the server wrote a checkpoint");
    for (const args of [["fmt", "--check"], ["lint"]]) {
      const r = await run(Deno.execPath(), args);
      assert.equal(r.code, 0, `deno ${args.join(" ")} with checkpoints present: ${r.text}`);
    }
  } catch (err) {
    server.kill("SIGTERM");
    await server.status;
    throw new Error(`${err}\n--- jupyter-notebook:\n${(await serverLog).slice(-3000)}`, {
      cause: err,
    });
  } finally {
    try {
      server.kill("SIGTERM");
    } catch { /* already stopped */ }
    await server.status;
    await serverLog.catch(() => "");
    for (const p of [copy, checkpoint]) await Deno.remove(p).catch(() => {});
    // The server's checkpoints folder, if this test made it (and it holds nothing else).
    if (!hadCheckpoints) await Deno.remove(checkpoints).catch(() => {});
    await Deno.remove(jupyter, { recursive: true });
  }
});
