/**
 * `deno task sample <ps|docker|timings> --out DIR [flags]`: one sampler alone, into a dataset
 * (dataset.json created, or its `samplers` list extended). Runs until SIGINT or SIGTERM (or
 * `--duration`, or the end of `--file` / `--command`), then writes the last part and says
 * "wrote N rows in P parts, M failed"; exits 1 when M > 0.
 */
import { type DatasetMeta, updateMeta } from "../dataset/mod.ts";
import { checkOutput, exitWithParent, userPath } from "../dataset/folder.ts";
import {
  type RunningSampler,
  SAMPLER_KINDS,
  type SamplerKind,
  type SamplerOptions,
  type SamplerSummary,
  startSampler,
} from "../collectors/samplers/mod.ts";
import { hostName, measureOffset, parseSshUrl } from "../collectors/samplers/ssh.ts";
import { parse, run } from "./_args.ts";

const USAGE =
  `usage: deno task sample <ps|docker|timings> --out DIR [--experiment NAME] [--runtime NAME]
  [--interval SECONDS] [--flush SECONDS] [--duration SECONDS]
  ps:      [--name PROCESS (default executor)] [--all (keep samples where no thread runs)]
           [--host ssh://user@host[:port][,ssh://...] (one sampler per host, over OpenSSH)]
  docker:  [--host unix:///var/run/docker.sock (default $DOCKER_HOST)] [--source api|cli]
  timings: --file FILE | --command 'docker logs -f executor'`;

function seconds(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0)) throw new RangeError(`--${flag} ${JSON.stringify(text)}: expected seconds > 0`);
  return n;
}

/**
 * Records this run in dataset.json's `samplers` (creating the file with the host's
 * description where missing), replacing the entry with the same `id`: written at the start,
 * so that the parts of a sampler that dies are still a dataset, and again at the end.
 */
async function recordRun(out: string, entry: { id: string } & Record<string, unknown>) {
  await updateMeta(out, (found) => {
    const meta: DatasetMeta = found ?? {
      source: "whiskbench sample",
      host: {
        hostname: Deno.hostname(),
        kernel: Deno.osRelease(),
        cpus: navigator.hardwareConcurrency,
        memory_bytes: Deno.systemMemoryInfo().total,
      },
    };
    const samplers = (Array.isArray(meta.samplers) ? meta.samplers : [])
      .filter((e) => e?.id !== entry.id);
    return { ...meta, samplers: [...samplers, entry] };
  });
}

/**
 * One ps sampler per ssh host (`--host ssh://a,ssh://b`), each host's clock offset against
 * this machine measured first and recorded in the settings; rows carry the host's name and
 * this machine's time. Stops and sums them as one.
 */
async function startOnHosts(
  options: SamplerOptions,
  urls: string[],
  settings: Record<string, unknown>,
): Promise<RunningSampler> {
  const targets = urls.map(parseSshUrl);
  const offsets = [];
  for (const t of targets) offsets.push({ host: hostName(t), ...(await measureOffset(t)) });
  settings.host = targets.map((t) => t.url).join(",");
  settings.hosts = offsets;
  const running: RunningSampler[] = [];
  try {
    for (const t of targets) running.push(await startSampler("ps", { ...options, host: t.url }));
  } catch (err) {
    await Promise.all(running.map((r) => r.stop()));
    throw err;
  }
  const merge = (all: SamplerSummary[]): SamplerSummary => ({
    kind: "ps",
    rows: all.reduce((n, s) => n + s.rows, 0),
    parts: all.flatMap((s) => s.parts),
    failures: all.reduce((n, s) => n + s.failures, 0),
    samples: all.reduce((n, s) => n + (s.samples ?? 0), 0),
    kept: all.reduce((n, s) => n + (s.kept ?? 0), 0),
    period_ms: all[0]?.period_ms ?? null,
  });
  return {
    stop: () => Promise.all(running.map((r) => r.stop())).then(merge),
    done: Promise.all(running.map((r) => r.done)).then(merge),
  };
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(
      Deno.args,
      [
        "out",
        "experiment",
        "runtime",
        "interval",
        "flush",
        "duration",
        "name",
        "host",
        "source",
        "file",
        "command",
      ],
      ["all"],
    );
    const kind = positionals[0] as SamplerKind;
    if (positionals.length !== 1 || !SAMPLER_KINDS.includes(kind) || !values.out) {
      throw new Error(USAGE);
    }
    if (values.source !== undefined && values.source !== "api" && values.source !== "cli") {
      throw new Error(`--source ${values.source}: expected api or cli`);
    }
    const out = userPath(values.out);
    await checkOutput(out, "dataset");
    exitWithParent();
    const options: SamplerOptions = {
      out,
      experiment: values.experiment,
      runtime: values.runtime,
      interval: seconds(values.interval, "interval"),
      flushEvery: seconds(values.flush, "flush"),
      duration: seconds(values.duration, "duration"),
      name: values.name,
      all: values.all === true,
      host: kind === "docker" ? values.host ?? Deno.env.get("DOCKER_HOST") : undefined,
      // ps: --host ssh://... (a list: one sampler per host) is started by startOnHosts.
      source: values.source as "api" | "cli" | undefined,
      file: values.file,
      command: values.command,
    };
    const started = new Date().toISOString();
    const { out: _, ...settings } = options;
    const id = `${kind}-${started}-${Deno.pid}`;
    const sampler = kind === "ps" && values.host
      ? await startOnHosts(options, values.host.split(","), settings)
      : await startSampler(kind, options);
    // Listening before anything else: a signal from now on stops it with its last part.
    const stop = () => sampler.stop();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await recordRun(out, { id, kind, started, stopped: null, settings });
    console.error(`sample: ${kind} sampler writing to ${out} (SIGINT or SIGTERM stops it)`);
    const summary = await sampler.done;
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    await recordRun(out, {
      id,
      kind,
      started,
      stopped: new Date().toISOString(),
      settings,
      summary: { ...summary, parts: summary.parts.length },
    });
    const period = summary.period_ms
      ? `, period ${summary.period_ms.mean.toFixed(0)} ms mean, ${
        summary.period_ms.max.toFixed(0)
      } ms max`
      : "";
    console.log(
      `wrote ${summary.rows} rows in ${summary.parts.length} parts, ${summary.failures} failed${period}`,
    );
    if (summary.failures > 0) Deno.exit(1);
  });
}
