/**
 * The command-line arguments of the tasks, read in one place: `node:util`'s parseArgs, strict,
 * so that a misspelt flag is an error rather than a silently ignored option.
 */
import { parseArgs } from "node:util";
import { terminalText } from "../dataset/terminal.ts";

/** Parses `args` with string options and positionals; throws on an unknown flag. */
export function parse<const T extends string>(
  args: string[],
  options: readonly T[],
  booleans: readonly string[] = [],
): {
  values: Partial<Record<T, string>> & Record<string, string | boolean | undefined>;
  positionals: string[];
} {
  const spec: Record<string, { type: "string" | "boolean" }> = {};
  for (const o of options) spec[o] = { type: "string" };
  for (const b of booleans) spec[b] = { type: "boolean" };
  const { values, positionals } = parseArgs({
    args,
    options: spec,
    allowPositionals: true,
    strict: true,
  });
  return { values: values as never, positionals };
}

/**
 * Runs a task's main, printing an error's message (not its stack) and exiting 1 on failure.
 * Every text a task prints through the console passes {@linkcode terminalText} first: the tasks
 * print strings of datasets (a runtime's name in a figure's id, a part's file name), and the
 * terminal is their one output not escaped for its context elsewhere. Here, so that no line of
 * any task can miss it.
 */
export async function run(main: () => Promise<void>): Promise<void> {
  for (const name of ["log", "error", "warn", "info"] as const) {
    const print = console[name];
    console[name] = (...args: unknown[]) =>
      print(...args.map((a) => typeof a === "string" ? terminalText(a) : a));
  }
  try {
    await main();
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
