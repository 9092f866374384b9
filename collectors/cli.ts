/**
 * `deno task collect <experiment> [flags]`: runs one experiment against an OpenWhisk API host
 * and writes (or adds to) a dataset. `--help` lists the experiments, `<experiment> --help` the
 * flags with their defaults. Arguments and environment are read here and nowhere else.
 */
import { run } from "./args.ts";
import { exitWithParent, userPath } from "../dataset/folder.ts";
import { ACTIVATIONS_LINE, activationsCommand } from "./activations_command.ts";
import { type Connection, redact, resolveConnection } from "./config.ts";
import { campaign, readPlan, type Step } from "./campaign.ts";
import { deploy, recordActionFacts } from "./deploy.ts";
import { type ExperimentResult, EXPERIMENTS, experimentsHelp, mixedSpec } from "./experiments.ts";
import { type CommonParams, flagsHelp, parseFlags } from "./flags.ts";
import { hostFacts, toolCommit } from "./host.ts";
import { InvokeWorkers } from "./invoke_workers.ts";
import { checkLimits, demand, type Limits, limitsOf } from "./limits.ts";
import { checkActions, OpenWhiskApi } from "./openwhisk.ts";
import { openFileLimits, openFilesWarning } from "./open_files.ts";
import { openOutput } from "./output.ts";
import { Progress } from "./progress.ts";
import { Stopper } from "./signals.ts";
import {
  type HostsSampler,
  type RunningSampler,
  startPsOnHosts,
  startSampler,
} from "./samplers/mod.ts";

/**
 * With `--insecure` on HTTPS, Deno's fetch needs `--unsafely-ignore-certificate-errors` at
 * launch: rerun this module so, scoped to the API host, and return its exit code (null when
 * no relaunch is needed).
 */
async function relaunchInsecure(conn: Connection): Promise<number | null> {
  if (!conn.insecure || !conn.apihost.startsWith("https:")) return null;
  if (Deno.env.get("WHISKBENCH_INSECURE_CHILD") === "1") return null;
  const host = new URL(conn.apihost).hostname;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--unsafely-ignore-certificate-errors=${host}`,
      new URL(import.meta.url).pathname,
      ...Deno.args,
    ],
    env: { WHISKBENCH_INSECURE_CHILD: "1" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches the child too (same process group), which decides how to stop: not
  // forwarded (it would count twice). SIGTERM, sent to this process alone, is forwarded.
  const ignore = () => {};
  const term = () => child.kill("SIGTERM");
  Deno.addSignalListener("SIGINT", ignore);
  Deno.addSignalListener("SIGTERM", term);
  const { code } = await child.status;
  Deno.removeSignalListener("SIGINT", ignore);
  Deno.removeSignalListener("SIGTERM", term);
  return code;
}

/** The key once known, so that no error message can carry it (see the entry point). */
let secret: string | undefined;

/** Runs the CLI on `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  if (args[0] === "activations") {
    return await activationsCommand(args.slice(1), Deno.env.toObject(), new Date());
  }
  const { experiment: name, help, runtime, out, connection, params, given } = parseFlags(
    args,
    new Date().toISOString().slice(0, 10),
  );
  // Typed in the user's own folder (deno task runs in the project root).
  const dir = userPath(out);
  if (!name || (help && !(name in EXPERIMENTS))) {
    console.log(`${experimentsHelp()}\n${ACTIVATIONS_LINE}`);
    return name || help ? 0 : 2;
  }
  const experiment = EXPERIMENTS[name];
  if (!experiment) throw new Error(`Unknown experiment "${name}"\n${experimentsHelp()}`);
  if (help) {
    console.log(flagsHelp(name));
    return 0;
  }
  if (!experiment.ready) {
    throw new Error(`The ${name} experiment is not yet there`);
  }
  if (!runtime) throw new Error("--runtime is required (docker, wasm or any name)");
  // A wrong mixed load or plan is an error before connecting.
  if (name === "mixed") mixedSpec(params);
  if (name === "all" && params.plan) await readPlan(params.plan);

  const conn = await resolveConnection({ ...connection, env: Deno.env.toObject() });
  secret = conn.auth;
  const relaunched = await relaunchInsecure(conn);
  if (relaunched !== null) return relaunched;

  if (name !== "deploy") {
    // One connection per invocation in flight: say before the first if there is no room.
    const warning = openFilesWarning(demand(name, params).inFlight, await openFileLimits());
    if (warning) console.error(`collect: ${warning}`);
  }
  const api = new OpenWhiskApi(conn, { keepAliveMs: params.keep_alive_s * 1000 });
  try {
    const info = {
      ...(await collectorFacts(args, conn)),
      api: await api.check(),
      root: await api.root(),
    };
    if (name === "deploy") return await deployCommand(api, runtime, dir, params);
    if (name === "all") {
      return await campaign({
        runtime,
        dir,
        params,
        given,
        check: (step) => checkPlan(step.name, step.params, limitsOf(info.root)),
        collect: (step) => collectOne(api, info, step, { checked: true }),
        deploy: (step) => deployCommand(api, runtime, step.dir, step.params),
      });
    }
    return (await collectOne(api, info, { name, runtime, dir, params })).code;
  } finally {
    api.close();
  }
}

/** `deploy`: the benchmark actions, and their facts (Tables 1, 2) in the dataset. */
async function deployCommand(
  api: OpenWhiskApi,
  runtime: string,
  dir: string,
  params: CommonParams,
): Promise<number> {
  const code = params.code ??
    (runtime === "docker" ? new URL("../actions/docker", import.meta.url).pathname : null);
  if (!code) throw new Error(`--code DIR is needed: the folder of the ${runtime} actions`);
  const { actions, facts } = await deploy(api, {
    code,
    runtime,
    kind: params.kind,
    memoryMb: params.memory_mb,
    copies: params.levels,
    hash: { iterations: params.iterations, input: params.input },
  });
  for (const a of actions) {
    console.log(`  ${a.name.padEnd(10)} ${a.state.padEnd(9)} ${a.file} ${a.version ?? ""}`);
  }
  await recordActionFacts(dir, facts);
  const count = (s: string) => actions.filter((a) => a.state === s).length;
  console.log(
    `deployed ${actions.length} actions to ${api.conn.apihost}: ${count("created")} created, ` +
      `${count("updated")} updated, ${count("unchanged")} unchanged; action facts -> ${dir}`,
  );
  return 0;
}

/**
 * Starts the samplers of `--sample` writing into the experiment's dataset, with its
 * experiment and runtime, so Table 17 and Figures 31-32 come from the same folder. A sampler
 * that cannot start (no engine) stops the run before any invocation.
 */
async function startSamplers(
  dir: string,
  experiment: string,
  runtime: string,
  params: CommonParams,
  onHosts: (hosts: HostsSampler["hosts"]) => void,
): Promise<RunningSampler[]> {
  const started: RunningSampler[] = [];
  try {
    for (const kind of params.sample) {
      const options = {
        out: dir,
        experiment,
        runtime,
        interval: params.sample_interval_s,
        flushEvery: params.flush_every_s,
        name: params.ps_name,
        host: kind === "docker" ? params.docker_host ?? undefined : undefined,
      };
      if (kind === "ps" && params.ps_hosts.length > 0) {
        const { sampler, hosts } = await startPsOnHosts(options, params.ps_hosts);
        started.push(sampler);
        onHosts(hosts);
      } else {
        started.push(await startSampler(kind, { ...options, onHost: (h) => onHosts([h]) }));
      }
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw new Error(`Cannot start the samplers: ${err instanceof Error ? err.message : err}`, {
      cause: err,
    });
  }
  return started;
}

/** What the CLI learns once, before any experiment: how it was run, and what OpenWhisk says. */
interface RunFacts {
  /** The command line, the key replaced by `***`. */
  command: string[];
  git: Awaited<ReturnType<typeof toolCommit>>;
  /** `GET /api/v1` and `GET /` of the API host. */
  api: unknown;
  root: Record<string, unknown> | null;
}

async function collectorFacts(args: string[], conn: Connection) {
  return { command: args.map((a) => redact(a, conn.auth)), git: await toolCommit() };
}

/**
 * Checks `params` against OpenWhisk's limits of `GET /` before the first invocation: over a
 * limit the experiment would measure the limit (429s), so it does not start, unless
 * `--ignore-limits` (a namespace may have limits of its own, which `GET /` does not show).
 */
function checkPlan(name: string, params: CommonParams, limits: Limits): void {
  const { errors, notes } = checkLimits(name, params, limits);
  for (const note of notes) console.log(`note: ${note}`);
  if (errors.length === 0) return;
  if (params.ignore_limits) {
    for (const e of errors) console.log(`warning: ${e} (--ignore-limits: running anyway)`);
    return;
  }
  throw new RangeError(
    `${errors.join("; ")}: it would measure OpenWhisk's limit, not the host. Raise the limit ` +
      "(or lower --levels), or give --ignore-limits where the namespace has limits of its own",
  );
}

/**
 * Runs one experiment into the dataset `dir`; returns its exit code and result. `checked`:
 * its plan was checked against OpenWhisk's limits already (a campaign checks all its steps
 * first).
 */
async function collectOne(
  api: OpenWhiskApi,
  info: RunFacts,
  { name, runtime, dir, params }: Step,
  { checked = false }: { checked?: boolean } = {},
): Promise<{ code: number; result: ExperimentResult }> {
  const experiment = EXPERIMENTS[name];
  if (!experiment?.ready || !experiment.run) throw new Error(`Cannot run "${name}" as a step`);
  const conn = api.conn;
  if (!checked) checkPlan(name, params, limitsOf(info.root));
  await checkActions(api, experiment.actions!(params));
  const out = await openOutput(dir, {
    experiment: experiment.column!,
    runtime,
    workload: experiment.workload!(params),
    parameters: {
      experiment: name,
      runtime,
      ...params,
      insecure: conn.insecure,
      ca: conn.caFile ?? null,
    },
    host: await hostFacts(),
    openwhisk: {
      apihost: conn.apihost,
      api: info.api,
      limits: info.root?.limits ?? null,
      runtimes: info.root?.runtimes ?? null,
    },
    flushEveryMs: params.flush_every_s * 1000,
  });
  out.entry.command = info.command;
  out.entry.git = info.git;
  await out.saveEntry();
  const progress = new Progress({
    experiment: name,
    runtime,
    level: 0,
    levels: params.levels,
    run: 0,
    runs: params.reps,
    inFlight: 0,
    done: 0,
    errors: 0,
    fraction: 0,
  });
  const stopper = new Stopper();
  stopper.listen((n) =>
    progress.note(
      n === 1
        ? "stopping: letting requests in flight finish (Ctrl-C again to abort them)"
        : "aborting requests in flight",
    )
  );
  const samplers = await startSamplers(dir, experiment.column!, runtime, params, (hosts) => {
    // Each sampled host's clock offset and round trip, with the collection.
    out.entry.sampled_hosts = hosts;
  });
  const stopFlushing = out.autoFlush();
  // --invoke-workers: the loops' calls go out from workers, each with its own event loop.
  const workers = params.invoke_workers > 0 && experiment.inWorkers
    ? InvokeWorkers.start(conn, {
      workers: params.invoke_workers,
      keepAliveMs: params.keep_alive_s * 1000,
    })
    : null;
  if (workers) console.error(`collect: invoking from ${workers.size} workers`);
  const invoker = workers ? workers.invokeWithPolicy.bind(workers) : undefined;
  let result;
  try {
    result = await experiment.run({ api, out, runtime, params, stopper, progress, invoker });
    // `rows` is the closing line's count: every row written, records and error rows alike,
    // counted once the last rows are written.
    await out.flush();
  } catch (err) {
    // A write error (a full disk) or a crash: the parts written so far stay, whole.
    const rows = out.activations.rows, parts = out.activations.parts.length;
    await out.fail(err, { rows, lost: out.activations.lost + out.activations.pending });
    const text = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${text}\ncollection ${out.entry.id} failed: ${rows} rows in ${parts} parts kept in ${dir}`,
      { cause: err },
    );
  } finally {
    stopFlushing();
    workers?.close();
    stopper.close();
    progress.end();
    for (const s of await Promise.all(samplers.map((s) => s.stop()))) {
      console.log(
        `sampler ${s.kind}: ${s.rows} rows in ${s.parts.length} parts, ${s.failures} failed`,
      );
    }
  }
  if (result.reason) out.entry.stop_reason = result.reason;
  await out.finish(result.status, {
    rows: out.activations.rows,
    records: result.records,
    errors: result.errors,
  });
  const first = out.entry.first_run;
  console.log(
    `wrote ${out.activations.rows} records, ${result.errors} failed -> ${dir} ` +
      `(runs ${first}..${first + params.reps - 1}, ` +
      `${out.activations.parts.length} parts, ${result.status})`,
  );
  for (const note of result.notes) console.log(`  ${note}`);
  if (result.reason) {
    console.log(`  ${result.status === "complete" ? "ended" : "stopped"}: ${result.reason}`);
  }
  const code = result.status === "interrupted"
    ? 130
    : (result.errors > 0 && !result.errorsExpected) || result.status === "stopped"
    ? 1
    : 0;
  return { code, result };
}

if (import.meta.main) {
  await run(async () => {
    let code: number;
    // Killing `deno task` outright stops the collector as SIGTERM does (its last part kept).
    exitWithParent();
    try {
      code = await main(Deno.args);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      throw new Error(secret ? redact(text, secret) : text);
    }
    if (code !== 0) Deno.exit(code);
  });
}
