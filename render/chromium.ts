/**
 * Headless Chromium, driven by playwright-core: opens a built report or notebook the way a
 * reader would, for the tests. This is an edge of the system: it starts a browser process.
 * The report itself needs no browser: its figure files are drawn by render/svg.ts.
 */
import { findBinary } from "./find_binary.ts";
import { type Browser, chromium } from "playwright-core";

/** Where Chromium is looked for, after `$WHISKBENCH_CHROMIUM`. */
export const CHROMIUM_PATHS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

/** The Chromium binary to use, or undefined where there is none. */
export function findChromium(): string | undefined {
  return findBinary("WHISKBENCH_CHROMIUM", CHROMIUM_PATHS);
}

/** Runs `fn` with a headless browser, closed afterwards whatever happens. */
export async function withChromium<T>(
  executablePath: string,
  fn: (browser: Browser) => Promise<T>,
): Promise<T> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}
