/**
 * Finding a helper program: the path an environment variable names, else the first of the
 * usual install paths that is a file. One rule for Chromium (the tests that open the page) and
 * rsvg-convert (the report's PDFs).
 */

/** The first of `$envVar` and `paths` that is a file, or undefined where none is. */
export function findBinary(envVar: string, paths: readonly string[]): string | undefined {
  for (const path of [Deno.env.get(envVar), ...paths]) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there */ }
  }
  return undefined;
}
