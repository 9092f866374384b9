/** Helpers of the tests that open the report in Chromium. */
import type { Page } from "playwright-core";

/**
 * Scrolls every plot of the report into view, one after the other, so that each is drawn
 * (the page draws plots as they come near the viewport).
 */
export async function drawEveryPlot(page: Page): Promise<void> {
  await page.evaluate(async () => {
    for (const el of document.querySelectorAll(".plot")) {
      el.scrollIntoView();
      // Two frames, so the plot's observer has seen it; a page Chromium does not paint gets no
      // frame at all, so at most 200 ms (the caller then waits for the plots themselves).
      await new Promise((r) => {
        requestAnimationFrame(() => requestAnimationFrame(r));
        setTimeout(r, 200);
      });
    }
  });
}
