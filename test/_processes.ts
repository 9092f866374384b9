/**
 * Real processes for the samplers' tests, under names of their own: `ps -C` matches the name
 * a program was started by, so a symbolic link to a binary gives a process a name no other
 * process on the machine has.
 */
import { join } from "node:path";

/** Starts `binary` under the name `name`, from a link in `dir` (created if missing). */
export async function startAs(
  dir: string,
  name: string,
  binary: string,
  args: string[],
): Promise<Deno.ChildProcess> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.symlink(binary, join(dir, name));
  return new Deno.Command(join(dir, name), { args, stdin: "piped", stdout: "null" }).spawn();
}

/** A process that keeps one core busy, named `<prefix>` and 8 random characters (ps names: 15 at most). */
export async function startBusy(
  dir: string,
  prefix: string,
): Promise<{ name: string; busy: Deno.ChildProcess }> {
  const name = `${prefix}${crypto.randomUUID().slice(0, 8)}`;
  const busy = await startAs(dir, name, Deno.execPath(), ["eval", "while (true) {}"]);
  return { name, busy };
}
