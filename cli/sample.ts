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
  startPsOnHosts,
  startSampler,
} from "../collectors/samplers/mod.ts";
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
      // ps: --host ssh://... (a list: one sampler per host) is started by startPsOnHosts.
      source: values.source as "api" | "cli" | undefined,
      file: values.file,
      command: values.command,
    };
    const started = new Date().toISOString();
    const { out: _, ...settings } = options;
    const id = `${kind}-${started}-${Deno.pid}`;
    let sampler: RunningSampler;
    if (kind === "ps" && values.host) {
      const started = await startPsOnHosts(options, values.host.split(","));
      settings.host = values.host;
      Object.assign(settings, { hosts: started.hosts });
      sampler = started.sampler;
    } else {
      sampler = await startSampler(kind, {
        ...options,
        onHost: (host) => Object.assign(settings, { hosts: [host] }),
      });
    }
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
