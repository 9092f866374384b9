/**
 * Facts about the benchmark host for dataset.json: CPU model and count from /proc/cpuinfo,
 * memory from /proc/meminfo, kernel from `uname`. A fact that cannot be read is null.
 */
import { $ } from "zx";

/** What dataset.json records about the host. */
export interface HostFacts {
  cpu: string | null;
  cpus: number | null;
  memory_mb: number | null;
  uname: string | null;
  hostname: string | null;
}

async function read(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/** Parses /proc/cpuinfo and /proc/meminfo texts. */
export function parseProc(
  cpuinfo: string,
  meminfo: string,
): Pick<HostFacts, "cpu" | "cpus" | "memory_mb"> {
  const models = [...cpuinfo.matchAll(/^model name\s*:\s*(.+)$/gm)].map((m) => m[1].trim());
  const processors = [...cpuinfo.matchAll(/^processor\s*:/gm)].length;
  const mem = /^MemTotal:\s*(\d+)\s*kB/m.exec(meminfo);
  return {
    cpu: models[0] ?? null,
    cpus: processors || null,
    memory_mb: mem ? Math.round(Number(mem[1]) / 1024 * 100) / 100 : null,
  };
}

/** The host's facts, read now. */
export async function hostFacts(): Promise<HostFacts> {
  const uname = await $({ quiet: true })`uname -srvmo`.nothrow().timeout("10s");
  let hostname: string | null = null;
  try {
    hostname = Deno.hostname();
  } catch { /* not allowed */ }
  return {
    ...parseProc(await read("/proc/cpuinfo"), await read("/proc/meminfo")),
    uname: uname.exitCode === 0 ? uname.stdout.trim() : null,
    hostname,
  };
}

/**
 * The git commit of the whiskbench that runs (and whether its tree has changes), so a
 * dataset names the code that collected it; null outside a git checkout.
 */
export async function toolCommit(): Promise<{ commit: string; dirty: boolean } | null> {
  const dir = new URL("..", import.meta.url).pathname;
  const head = await $({ quiet: true, cwd: dir })`git rev-parse HEAD`.nothrow().timeout("10s");
  if (head.exitCode !== 0) return null;
  const status = await $({ quiet: true, cwd: dir })`git status --porcelain`.nothrow()
    .timeout("10s");
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== "" };
}
