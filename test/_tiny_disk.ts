/**
 * A small file system to fill, for the tests of what a full disk does: a tmpfs mounted for one
 * test (root only: elsewhere the caller skips its test and says so).
 */

/** Mounts a tmpfs of `kb` KiB for `fn`; false where this machine cannot. */
export async function withTinyDisk(
  kb: number,
  fn: (dir: string) => Promise<void>,
): Promise<boolean> {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-full-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${kb}k`, "tmpfs", dir],
    stderr: "null",
  }).output().catch(() => ({ success: false }));
  if (!mount.success) {
    await Deno.remove(dir);
    return false;
  }
  try {
    await fn(dir);
  } finally {
    await new Deno.Command("umount", { args: [dir] }).output();
    await Deno.remove(dir, { recursive: true });
  }
  return true;
}
