/**
 * PDFs from the renderer's SVG (render/pdf.ts): rsvg-convert makes a page of the SVG's size,
 * a broken SVG is an error naming the file, and the PDFs are made a bounded number at a time,
 * in order, stopping at the first failure.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { findRsvgConvert, inParallel, svgToPdf } from "../render/pdf.ts";

const rsvg = findRsvgConvert();

Deno.test({
  name: "svgToPdf() makes a page of the SVG's size at 96 px/in; a broken SVG names its file",
  ignore: !rsvg && !Deno.env.get("CI"),
}, async () => {
  assert.ok(rsvg, "CI must have rsvg-convert: deno task setup installs librsvg2-bin");
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-pdf-" });
  const svg = join(dir, "a.svg"), pdf = join(dir, "a.pdf");
  await Deno.writeTextFile(
    svg,
    '<svg xmlns="http://www.w3.org/2000/svg" width="336" height="192"><text y="20">x</text></svg>',
  );
  await svgToPdf(rsvg, svg, pdf);
  const text = new TextDecoder().decode(await Deno.readFile(pdf));
  assert.ok(text.startsWith("%PDF-"));
  assert.match(text, /\/MediaBox \[ ?0 0 252 144 ?\]/, "3.5 in x 2 in");
  const broken = join(dir, "broken.svg");
  await Deno.writeTextFile(broken, "<svg xmlns='http://www.w3.org/2000/svg'><g></svg>");
  await assert.rejects(
    svgToPdf(rsvg, broken, join(dir, "broken.pdf")),
    (e: Error) => e.message.startsWith(`Cannot make ${join(dir, "broken.pdf")} from ${broken}: `),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("inParallel() runs at most `parallel` tasks at once and keeps the items' order", async () => {
  let running = 0, most = 0;
  const gates: (() => void)[] = [];
  const done = inParallel([1, 2, 3, 4, 5], 2, async (n) => {
    running++, most = Math.max(most, running);
    await new Promise<void>((go) => gates.push(go));
    running--;
    return n * 10;
  });
  // Open the gates one at a time, as each task comes to wait at one.
  for (let opened = 0; opened < 5; opened++) {
    while (gates.length <= opened) await new Promise((r) => setTimeout(r, 0));
    gates[opened]();
  }
  assert.deepEqual(await done, [10, 20, 30, 40, 50]);
  assert.equal(most, 2);
});

Deno.test("inParallel() stops taking items after a failure and throws it", async () => {
  const started: number[] = [];
  await assert.rejects(
    inParallel([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await Promise.resolve();
      if (n === 2) throw new Error("item 2 failed");
      return n;
    }),
    /item 2 failed/,
  );
  assert.ok(started.length < 6, `started ${started.join(", ")}`);
});
