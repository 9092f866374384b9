/**
 * `deno task setup`: installs what the tests need on a fresh machine. The npm packages come
 * from the import map, pinned by deno.lock (`--frozen`: a lock mismatch is an error, not an
 * update). System packages are installed with apt-get only where missing, so a second run is
 * quick and a machine that already has them is left alone.
 */
import { $ } from "zx";

/** Debian packages the tests use, by the command each provides: jq for the bench's jq + awk
 * baseline (test/bench_test.ts). */
export const SYSTEM_PACKAGES: Record<string, string> = { jq: "jq" };

async function has(command: string): Promise<boolean> {
  return (await $`command -v ${command}`.nothrow().quiet()).exitCode === 0;
}

if (import.meta.main) {
  $.verbose = false;
  const loud = $({ stdio: ["ignore", "inherit", "inherit"] });
  await loud`${Deno.execPath()} install --frozen`;
  const missing = [];
  for (const [command, pkg] of Object.entries(SYSTEM_PACKAGES)) {
    if (!(await has(command))) missing.push(pkg);
  }
  if (missing.length > 0) {
    const root = Deno.uid?.() === 0 ? [] : ["sudo"];
    console.error(`setup: installing ${missing.join(", ")} with apt-get`);
    await loud`${root} apt-get update`;
    await loud`${root} apt-get install -y --no-install-recommends ${missing}`;
  }
  console.error("setup: ready");
}
