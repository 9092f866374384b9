import { readDataset } from "../dataset/mod.ts";
import { thesisFigures } from "../pipeline/figures.ts";
import { exportFigures, findChromium, plotlySource, withChromium } from "../render/chromium.ts";
const ds = await readDataset("data/thesis");
const ids = Deno.args[0].split(",");
const size = (Deno.args[1] ?? "text") as "text";
const figs = thesisFigures(ds).filter((f) => ids.includes(f.id));
await Deno.mkdir("/tmp/x", { recursive: true });
const js = await plotlySource();
await withChromium(findChromium()!, async (b) => {
  await exportFigures(b, figs, "/tmp/x", { plotlyJs: js, paper: { size } });
  const p = await b.newPage();
  for (const f of figs) {
    const svg = await Deno.readTextFile(`/tmp/x/${f.id}.svg`);
    await p.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await p.locator("svg").first().screenshot({ path: `/tmp/x/${f.id}_${size}.png` });
  }
});
