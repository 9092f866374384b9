/**
 * Sampling another host over OpenSSH: a production OpenWhisk runs invokers on several hosts,
 * and Table 17's samples must come from each of them. The user's own `ssh` does the work
 * (keys from their agent or `~/.ssh`, their known hosts; `WHISKBENCH_SSH_CONFIG` names an
 * extra `ssh -F` configuration file), with one master connection per host reused by every
 * sample, so that a sample costs a round trip, not a handshake.
 */

/** Where to sample: `ssh://[user@]host[:port]`. */
export interface SshTarget {
  url: string;
  user: string | null;
  host: string;
  port: number | null;
}

/** Parses `ssh://[user@]host[:port]`, or throws naming what is wrong. */
export function parseSshUrl(url: string): SshTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`--host ${url}: expected ssh://[user@]host[:port]`);
  }
  if (u.protocol !== "ssh:" || !u.hostname || (u.pathname !== "" && u.pathname !== "/")) {
    throw new RangeError(`--host ${url}: expected ssh://[user@]host[:port]`);
  }
  if (u.password) throw new RangeError(`--host ${u.hostname}: no password in the URL; use a key`);
  const user = u.username ? decodeURIComponent(u.username) : null;
  if (user !== null && !/^[a-z_][\w.-]*$/i.test(user)) {
    throw new RangeError(`--host ${url}: user ${JSON.stringify(user)} is not a user name`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (!/^[\w.:-]+$/.test(host)) throw new RangeError(`--host ${url}: not a host name`);
  return {
    url: `ssh://${user ? `${user}@` : ""}${u.host}`,
    user,
    host,
    port: u.port ? Number(u.port) : null,
  };
}

/** The name rows carry for a target: `host` or `host:port` (two "hosts" on one machine). */
export function hostName(t: SshTarget): string {
  return t.port ? `${t.host}:${t.port}` : t.host;
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

let controlDir: string | undefined;

/** The `ssh` arguments that run `script` with `sh -c` on `target`. */
export function sshArgs(target: SshTarget, script: string): string[] {
  return [...sshOptions(target), "--", sshDestination(target), `sh -c ${shellQuote(script)}`];
}

/** `[user@]host` of `target`, as ssh takes it. */
function sshDestination(target: SshTarget): string {
  return target.user ? `${target.user}@${target.host}` : target.host;
}

/**
 * The options of every ssh to `target`: the user's extra configuration, no prompts, and one
 * master connection per host reused by every command and forward.
 */
function sshOptions(target: SshTarget): string[] {
  controlDir ??= Deno.makeTempDirSync({ prefix: "whiskbench-ssh-" });
  const config = Deno.env.get("WHISKBENCH_SSH_CONFIG");
  return [
    ...(config ? ["-F", config] : []),
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${controlDir}/%C`,
    "-o",
    "ControlPersist=60",
    ...(target.port ? ["-p", String(target.port)] : []),
  ];
}

/** Runs `script` on `target`; its stdout, or an error naming the host and ssh's message. */
export async function runOverSsh(target: SshTarget, script: string): Promise<string> {
  const out = await new Deno.Command("ssh", {
    args: sshArgs(target, script),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-2).join(" ");
    throw new Error(`ssh ${hostName(target)}: exit ${out.code}: ${err || "no message"}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** The host's clock against this one, measured once: offset (host - here) and round trip. */
export interface ClockOffset {
  offset_ms: number;
  rtt_ms: number;
}

/**
 * Measures `target`'s clock against this machine's (the best of three round trips), so rows
 * sampled there can be put on this machine's clock, and the offset recorded.
 */
export async function measureOffset(target: SshTarget): Promise<ClockOffset> {
  let best: ClockOffset | null = null;
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const text = await runOverSsh(target, "date +%s%N");
    const t1 = Date.now();
    const remote = Number(text.trim()) / 1e6;
    if (!Number.isFinite(remote)) {
      throw new Error(`ssh ${hostName(target)}: date +%s%N gave ${JSON.stringify(text.trim())}`);
    }
    const m = { offset_ms: remote - (t0 + t1) / 2, rtt_ms: t1 - t0 };
    if (!best || m.rtt_ms < best.rtt_ms) best = m;
  }
  return best!;
}

/** A unix socket of another host, reached through a local one that ssh forwards to it. */
export interface SocketForward {
  /** The local socket's path. */
  local: string;
  /** Ends the forward (and removes the local socket). */
  close(): Promise<void>;
}

/**
 * Forwards a local unix socket to `remote` (a unix socket path) on `target` with OpenSSH's
 * own `-L local:remote` over the host's master connection; resolves once the local socket
 * accepts, or throws naming the host and ssh's message (within `timeoutMs`).
 */
export async function forwardSocket(
  target: SshTarget,
  remote: string,
  { timeoutMs = 15_000 } = {},
): Promise<SocketForward> {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-fwd-" });
  const local = `${dir}/engine.sock`;
  const child = new Deno.Command("ssh", {
    // No command: -N forwards only.
    args: [
      ...sshOptions(target),
      "-N",
      "-o",
      "ExitOnForwardFailure=yes",
      "-L",
      `${local}:${remote}`,
      "--",
      sshDestination(target),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const exited = child.output();
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* ended */ }
    await exited.catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + timeoutMs;
  let ended: Deno.CommandOutput | null = null;
  exited.then((o) => (ended = o), () => {});
  for (;;) {
    if (ended !== null) {
      const o = ended as Deno.CommandOutput;
      const err = new TextDecoder().decode(o.stderr).trim().split("\n").slice(-2).join(" ");
      await close();
      throw new Error(`ssh ${hostName(target)}: forwarding ${remote}: ${err || `exit ${o.code}`}`);
    }
    try {
      (await Deno.connect({ transport: "unix", path: local })).close();
      return { local, close };
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      await close();
      throw new Error(
        `ssh ${hostName(target)}: forwarding ${remote}: no socket within ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A Docker engine on another host: `ssh://[user@]host[:port][/path/of/docker.sock]` (the
 * socket `/var/run/docker.sock` where no path is given).
 */
export function parseDockerSshUrl(url: string): { target: SshTarget; socket: string } {
  const m = /^(ssh:\/\/[^/]+)(\/.*)?$/.exec(url);
  if (!m) throw new RangeError(`--host ${url}: expected ssh://[user@]host[:port][/socket/path]`);
  const socket = m[2] ?? "/var/run/docker.sock";
  if (!/^\/[\w./-]+$/.test(socket) || socket.split("/").includes("..")) {
    throw new RangeError(`--host ${url}: the socket path ${JSON.stringify(socket)} is not one`);
  }
  return { target: parseSshUrl(m[1]), socket };
}
