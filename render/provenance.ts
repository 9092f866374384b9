/**
 * Where a report came from: the dataset's own dataset.json, the tool's version and git commit,
 * Deno's and the pinned packages' versions, the command line and the time. Secrets are
 * removed by key name and absolute paths of this machine are made relative (or reduced to a
 * base name), so a report can be published as it is.
 */
import { $ } from "zx";
import { basename, isAbsolute, relative } from "node:path";

/** Keys whose values never leave the machine, at any depth. */
const SECRET_KEY = /^(auth|authorization|password|passwd|token|secret|api_?key|key)$/i;

/** A copy of `value` with secret-looking keys redacted and this machine's paths hidden. */
export function scrub(value: unknown, cwd = Deno.cwd()): unknown {
  if (Array.isArray(value)) return value.map((v) => scrub(v, cwd));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map((
        [k, v],
      ) => [k, SECRET_KEY.test(k) ? "[redacted]" : scrub(v, cwd)]),
    );
  }
  if (typeof value === "string") return hidePaths(value, cwd);
  return value;
}

/** Rewrites absolute paths under `cwd` as relative ones, and the home folder as `~`. */
export function hidePaths(text: string, cwd = Deno.cwd()): string {
  let out = text.split(cwd + "/").join("").split(cwd).join(".");
  const home = Deno.env.get("HOME");
  if (home && home !== "/") out = out.split(home).join("~");
  return out;
}

/** A path as the user should see it in a report: relative to `cwd`, else its base name. */
export function shownPath(path: string, cwd = Deno.cwd()): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel.startsWith("..") ? basename(path) : rel || ".";
}

async function gitFacts(): Promise<{ commit: string; dirty: boolean } | undefined> {
  const root = new URL("..", import.meta.url).pathname;
  const head = await $({ cwd: root, quiet: true, nothrow: true })`git rev-parse HEAD`;
  if (head.exitCode !== 0) return undefined;
  const status = await $({ cwd: root, quiet: true, nothrow: true })`git status --porcelain`;
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== "" };
}

/** The tool's name, version and npm pins, from its deno.json. */
export async function toolFacts(): Promise<
  { name: string; version: string; packages: Record<string, string> }
> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  ) as { name: string; version: string; imports: Record<string, string> };
  const packages: Record<string, string> = {};
  for (const spec of Object.values(config.imports)) {
    const m = /^npm:(@?[^@]+)@(.+)$/.exec(spec);
    if (m) packages[m[1]] = m[2];
  }
  return { name: config.name, version: config.version, packages };
}

/** The provenance block of a report. */
export async function provenance(
  options: { dataset: string; meta: unknown; command: string[]; now?: Date },
): Promise<Record<string, unknown>> {
  const tool = await toolFacts();
  const git = await gitFacts();
  return scrub({
    generated_at: (options.now ?? new Date()).toISOString(),
    command: options.command.map((a) => shownPath(a)).join(" "),
    tool: {
      name: tool.name,
      version: tool.version,
      git_commit: git?.commit ?? "unknown (not a git checkout)",
      git_dirty: git?.dirty ?? null,
    },
    runtime: { deno: Deno.version.deno, v8: Deno.version.v8, typescript: Deno.version.typescript },
    packages: tool.packages,
    dataset: { path: shownPath(options.dataset), meta: options.meta },
  }) as Record<string, unknown>;
}
