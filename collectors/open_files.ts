/**
 * The open-file limit against the invocations an experiment keeps in flight: each is a
 * connection, so a capacity test to 2,000 needs more than 2,000 descriptors, and many systems
 * give processes a soft limit of 1,024. Past the limit every new connection fails with "Too many
 * open files", and the experiment would record the client's limit as the host's. Deno raises
 * its own soft limit to the hard one as it starts (a process started with `ulimit -Sn 256` has
 * its hard limit as soft limit; test/open_files_test.ts checks it), so the collector's part is
 * to say, before the first invocation, where the hard limit is too low, and how to raise it.
 */

/** Descriptors besides the connections: the dataset's files, samplers, standard streams. */
export const SPARE_FILES = 64;

/** A process's open-file limits (`Infinity` for unlimited). */
export interface OpenFileLimits {
  soft: number;
  hard: number;
}

/** The `Max open files` line of `/proc/<pid>/limits`, null where there is none. */
export function parseOpenFileLimits(text: string): OpenFileLimits | null {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)\s+files/m.exec(text);
  if (!m) return null;
  const n = (v: string) => (v === "unlimited" ? Infinity : Number(v));
  return { soft: n(m[1]), hard: n(m[2]) };
}

/** This process's open-file limits, null where they cannot be read (not Linux). */
export async function openFileLimits(): Promise<OpenFileLimits | null> {
  try {
    return parseOpenFileLimits(await Deno.readTextFile("/proc/self/limits"));
  } catch {
    return null;
  }
}

/**
 * The warning to show when `limits` leave no room for `inFlight` connections and
 * {@link SPARE_FILES} more (null when they do, or are unknown).
 */
export function openFilesWarning(inFlight: number, limits: OpenFileLimits | null): string | null {
  const needed = inFlight + SPARE_FILES;
  if (limits === null || limits.soft >= needed) return null;
  return `the open-file limit is ${limits.soft} (hard limit ${limits.hard}), and ${inFlight} ` +
    `invocations in flight need about ${needed}: above about ` +
    `${Math.max(0, limits.soft - SPARE_FILES)} in flight, connections will fail with "Too ` +
    `many open files". Raise the hard limit (ulimit -Hn as root, /etc/security/limits.conf, or ` +
    `LimitNOFILE= of a systemd unit)`;
}
