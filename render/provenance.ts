/**
 * Where a report came from: the dataset's own dataset.json, the tool's version and git commit,
 * Deno's and the pinned packages' versions, the command line and the time. Secrets are
 * removed by name, context, shape and value, and absolute paths are made relative to the
 * working folder, the project or the dataset (or reduced to their last parts), by
 * `redact.ts`, so a report can be published as it is.
 */
import { $ } from "zx";
import { basename, isAbsolute, relative, resolve } from "node:path";
import { type PathRoots, scrub } from "./redact.ts";

/** The folders whose paths a report shows relative: the dataset, the working folder, home. */
export function pathRoots(dataset: string, cwd = Deno.cwd()): PathRoots {
  const roots: PathRoots = [
    [resolve(cwd, dataset), shownPath(resolve(cwd, dataset), cwd)],
    [cwd, "."],
    [new URL("..", import.meta.url).pathname, "."],
  ];
  const home = Deno.env.get("HOME");
  if (home && home !== "/") roots.push([home, "~"]);
  return roots;
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
  }, pathRoots(options.dataset)) as Record<string, unknown>;
}
