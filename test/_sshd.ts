/**
 * A real OpenSSH server for the tests of sampling other hosts: Debian's sshd on two loopback
 * ports, with a host key and a user key the test makes, and an `ssh -F` configuration that
 * uses them (pass it as WHISKBENCH_SSH_CONFIG). Runs as root only (sshd's privilege
 * separation).
 */
import { join } from "node:path";

const SSHD = "/usr/sbin/sshd";

async function run(cmd: string, ...args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!r.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  }
}

/** A free loopback port (bound, then released). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

export async function until(ok: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** sshd on two loopback ports, a key for root, and an ssh config that uses them. */
export async function startSshd(dir: string) {
  await run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key"));
  await run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(dir, "user_key"));
  await Deno.copyFile(join(dir, "user_key.pub"), join(dir, "authorized_keys"));
  const ports = [freePort(), freePort()];
  await Deno.writeTextFile(
    join(dir, "sshd_config"),
    [
      ...ports.map((p) => `Port ${p}`),
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "UsePAM no",
      `PidFile ${join(dir, "sshd.pid")}`,
      "",
    ].join("\n"),
  );
  await Deno.writeTextFile(
    join(dir, "ssh_config"),
    [
      "Host 127.0.0.1",
      `  IdentityFile ${join(dir, "user_key")}`,
      `  UserKnownHostsFile ${join(dir, "known_hosts")}`,
      "  StrictHostKeyChecking accept-new",
      "  IdentitiesOnly yes",
      "",
    ].join("\n"),
  );
  await Deno.mkdir("/run/sshd", { recursive: true });
  const sshd = new Deno.Command(SSHD, {
    args: ["-D", "-e", "-f", join(dir, "sshd_config")],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (const port of ports) {
    await until(async () => {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        return true;
      } catch {
        return false;
      }
    }, `sshd on port ${port}`);
  }
  return { sshd, ports, config: join(dir, "ssh_config") };
}

export const canRunSshd = Deno.build.os === "linux" && Deno.uid?.() === 0 &&
  (() => {
    try {
      Deno.statSync(SSHD);
      return true;
    } catch {
      return false;
    }
  })();
