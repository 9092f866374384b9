/**
 * A Docker engine of the tests' own: Debian's `dockerd` started by hand on a socket, data root
 * and exec root in a temporary folder (no systemd, no network: `--bridge=none`, no iptables),
 * an image imported from a root file system holding Debian's static busybox, and a stop that
 * removes containers, ends dockerd and every process it left (found by the folder in their
 * command line), unmounts and deletes the folder, whatever state the test left it in.
 */
import { unixGet } from "../collectors/samplers/unix_http.ts";

/** A running engine. */
export interface Engine {
  /** `unix://` address of its socket. */
  host: string;
  /** Runs the docker client against it; resolves with stdout, throws with stderr. */
  docker(...args: string[]): Promise<string>;
  /** The image imported from busybox. */
  image: string;
  /** The folder holding its socket, data and state. */
  dir: string;
  /** Stops everything started and removes the folder. */
  stop(): Promise<void>;
}

const decoder = new TextDecoder();

async function which(command: string): Promise<string | null> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${command}`] }).output();
  return out.success ? decoder.decode(out.stdout).trim() : null;
}

/** Pids of the processes whose command line mentions `dir` (what dockerd started there). */
export async function processesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`);
      if (cmd.includes(dir)) pids.push(Number(e.name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * The cgroup folders of the containers created under `dir` (their ids are the folder names of
 * `<data root>/containers`), cgroup v1 or v2, cgroupfs or systemd driver.
 */
async function containerCgroups(dir: string): Promise<string[]> {
  const ids: string[] = [];
  try {
    for await (const e of Deno.readDir(`${dir}/root/containers`)) ids.push(e.name);
  } catch {
    return [];
  }
  const roots = ["/sys/fs/cgroup"];
  for await (const e of Deno.readDir("/sys/fs/cgroup")) {
    if (e.isDirectory) roots.push(`/sys/fs/cgroup/${e.name}`);
  }
  const found: string[] = [];
  for (const id of ids) {
    for (const root of roots) {
      for (const path of [`${root}/docker/${id}`, `${root}/system.slice/docker-${id}.scope`]) {
        try {
          await Deno.stat(`${path}/cgroup.procs`);
          found.push(path);
        } catch {
          // not this layout
        }
      }
    }
  }
  return found;
}

/** Kills the processes of the containers created under `dir` and removes their cgroups. */
async function killContainers(dir: string): Promise<void> {
  const cgroups = await containerCgroups(dir);
  for (const cg of cgroups) {
    const pids = (await Deno.readTextFile(`${cg}/cgroup.procs`)).split("\n").filter((p) => p);
    for (const pid of pids) {
      try {
        Deno.kill(Number(pid), "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
  for (const cg of cgroups) {
    await waitFor(`${cg} to empty`, 5000, async () => {
      try {
        await Deno.remove(cg);
        return true;
      } catch (err) {
        return err instanceof Deno.errors.NotFound;
      }
    });
  }
}

async function waitFor(what: string, ms: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts dockerd and imports the busybox image; missing programs are a plain error. */
export async function startEngine(): Promise<Engine> {
  const dockerd = await which("dockerd"), client = await which("docker");
  const busybox = await which("busybox");
  if (!dockerd || !client || !busybox) {
    throw new Error(
      "The Docker tests need dockerd, docker and busybox (Debian: docker.io, busybox-static); " +
        "`deno task setup` installs them",
    );
  }
  const ldd = await new Deno.Command("ldd", { args: [busybox] }).output();
  if (ldd.success && /=>|ld-linux/.test(decoder.decode(ldd.stdout))) {
    throw new Error(
      `${busybox} is linked dynamically: the image needs Debian's busybox-static instead of busybox`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "wb-dockerd-" });
  const socket = `${dir}/docker.sock`;
  const log = `${dir}/dockerd.log`;
  const args = [
    "--iptables=false",
    "--ip6tables=false",
    "--bridge=none",
    `--host=unix://${socket}`,
    `--data-root=${dir}/root`,
    `--exec-root=${dir}/exec`,
    `--pidfile=${dir}/docker.pid`,
  ];
  const daemon = new Deno.Command("sh", {
    args: ["-c", `exec "$0" "$@" >${log} 2>&1`, dockerd, ...args],
    stdin: "null",
  }).spawn();
  let exited = false;
  daemon.status.then(() => exited = true);
  const host = `unix://${socket}`;
  const docker = async (...a: string[]) => {
    const out = await new Deno.Command(client, { args: ["-H", host, ...a], stdin: "null" })
      .output();
    if (!out.success) {
      throw new Error(`docker ${a.join(" ")} failed: ${decoder.decode(out.stderr).trim()}`);
    }
    return decoder.decode(out.stdout);
  };
  const stop = async () => {
    try {
      const ids = (await docker("ps", "-aq")).split("\n").filter((s) => s !== "");
      if (ids.length > 0) await docker("rm", "-f", ...ids);
    } catch {
      // the engine may be down already
    }
    if (!exited) daemon.kill("SIGTERM");
    const timer = setTimeout(() => !exited && daemon.kill("SIGKILL"), 10_000);
    await daemon.status;
    clearTimeout(timer);
    // After a crash: containerd and the shims (their command lines name the folder), then the
    // containers' own processes (found by their cgroups), which outlive their shims.
    for (const pid of await processesUnder(dir)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    await killContainers(dir);
    const mounts = (await Deno.readTextFile("/proc/mounts")).split("\n")
      .map((l) => l.split(" ")[1]).filter((m) => m?.startsWith(dir)).reverse();
    for (const m of mounts) await new Deno.Command("umount", { args: ["-l", m] }).output();
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await waitFor("dockerd to answer /_ping", 30_000, async () => {
      if (exited) throw new Error(`dockerd exited: ${await Deno.readTextFile(log)}`);
      try {
        return (await unixGet(socket, "/_ping")).status === 200;
      } catch {
        return false;
      }
    });
    const rootfs = `${dir}/rootfs`;
    await Deno.mkdir(`${rootfs}/bin`, { recursive: true });
    for (const d of ["dev", "proc", "sys", "tmp"]) await Deno.mkdir(`${rootfs}/${d}`);
    await Deno.copyFile(busybox, `${rootfs}/bin/busybox`);
    for (const applet of ["sh", "sleep", "dd"]) {
      await Deno.symlink("busybox", `${rootfs}/bin/${applet}`);
    }
    const tar = await new Deno.Command("tar", {
      args: ["-C", rootfs, "-cf", `${dir}/rootfs.tar`, "."],
    })
      .output();
    if (!tar.success) throw new Error(`tar of ${rootfs} failed: ${decoder.decode(tar.stderr)}`);
    const image = "whiskbench-busybox:test";
    await docker("import", `${dir}/rootfs.tar`, image);
    return { host, docker, image, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
