/**
 * The flags of `deno task collect`, the same for every experiment: their names, defaults and
 * help, and their parsing into typed parameters (a wrong value is an error naming the flag).
 */
import { parse } from "./args.ts";
import type { ConnectionInputs } from "./config.ts";
import type { ErrorPolicy } from "./invoke.ts";

/**
 * The default of each numeric flag, in the unit its parameter's name gives (`_s`: seconds,
 * `_mb`: MB): shown by the help and used by the parser from this one place.
 */
export const DEFAULTS = {
  "step": 5,
  "iterations": 100_000,
  "seed": 1,
  "idle-wait": 15,
  "cold-retries": 2,
  "from": 1,
  "increment": 1,
  "memory": 256,
  "retries": 3,
  "timeout": 120,
  "keep-alive": 2,
  "poll-deadline": 300,
  "flush-every": 5,
  "sample-interval": 1,
} as const;

/** Flags of every experiment: name, default (as shown), what it does. */
export const FLAGS: [string, string, string][] = [
  ["runtime", "(required)", "fills the runtime column: docker, wasm or any name"],
  ["apihost", "APIHOST of ~/.wskprops", "OpenWhisk API host (or __OW_API_HOST; WSK_CONFIG_FILE)"],
  ["auth", "AUTH of ~/.wskprops", "UUID:KEY (or __OW_API_KEY); never written anywhere"],
  ["insecure", "false", "accept a self-signed certificate, as wsk -i (-i works too)"],
  ["ca", "none", "PEM file of the host's certificate to trust (certificates stay checked)"],
  ["out", "data/campaign-<UTC date>", "dataset folder; an existing one gets new parts"],
  ["levels", "15 (capacity 2000)", "highest level N (deploy: copies hello1..helloN)"],
  ["reps", "10 (cold-start), 1 (others)", "repetitions R"],
  ["step", String(DEFAULTS["step"]), "seconds per level of a ramp (concurrency, mixed)"],
  ["workload", "hello", "action (cold-start: base name of hello1..helloN; mixed: mixed_10_90 ...)"],
  [
    "iterations",
    String(DEFAULTS["iterations"]),
    "hash: iterations (sent with each invocation, bound at deploy)",
  ],
  ["input", "whiskbench", "hash: input string (sent with each invocation, bound at deploy)"],
  ["weights", "50:50", "IO:CPU weights of a mixed load (IO action net, CPU action prime)"],
  ["seed", String(DEFAULTS["seed"]), "seed of the mixed load's choices"],
  ["from", String(DEFAULTS["from"]), "capacity: first level"],
  [
    "increment",
    String(DEFAULTS["increment"]),
    "capacity: added to the level after each level that succeeded",
  ],
  [
    "code",
    "actions/docker (docker)",
    "deploy: folder of <action>.go, <action>.zip or <action>-wasmtime.zip",
  ],
  ["kind", "go:1.20 (docker), wasm:0.1 (wasm)", "deploy: the actions' kind"],
  ["memory", String(DEFAULTS["memory"]), "deploy: the actions' memory limit, MB"],
  ["plan", "the thesis's campaign", "all: a JSON plan file (see README)"],
  [
    "idle-wait",
    String(DEFAULTS["idle-wait"]),
    "seconds to wait for idle containers to go (thesis: 10 s timeout); auto: measure it first",
  ],
  [
    "cold-retries",
    String(DEFAULTS["cold-retries"]),
    "cold-start: runs of a level that is not all cold, each after twice the wait, then exit 1",
  ],
  ["on-error", "continue", "on an invocation without a record: continue, retry or stop"],
  [
    "retries",
    String(DEFAULTS["retries"]),
    "attempts after the first with --on-error retry (1 s, 2 s, 4 s ... apart)",
  ],
  ["timeout", String(DEFAULTS["timeout"]), "client time-out of one invocation, seconds"],
  [
    "keep-alive",
    String(DEFAULTS["keep-alive"]),
    "seconds an idle connection is kept for the next request (0: a new one per request)",
  ],
  [
    "poll-deadline",
    String(DEFAULTS["poll-deadline"]),
    "after a 202, seconds to keep fetching the record",
  ],
  [
    "ignore-limits",
    "false",
    "run even where the plan exceeds the limits of GET / (a namespace with its own limits)",
  ],
  [
    "flush-every",
    String(DEFAULTS["flush-every"]),
    "seconds between Parquet parts (also one at every level)",
  ],
  [
    "sample",
    "none",
    "samplers run beside the experiment into the same dataset: ps, docker or ps,docker",
  ],
  ["sample-interval", String(DEFAULTS["sample-interval"]), "seconds between resource samples"],
  ["ps-name", "executor", "ps sampler: name of the process whose threads are sampled"],
  ["docker-host", "$DOCKER_HOST or unix:///var/run/docker.sock", "docker sampler: engine address"],
];

/** Samplers `--sample` can start beside an experiment. */
export const SAMPLERS = ["ps", "docker"] as const;

/** Parameters common to every experiment (recorded in dataset.json, without the key). */
export interface CommonParams {
  levels: number;
  reps: number;
  step_s: number;
  workload: string;
  iterations: number;
  input: string;
  weights: string;
  seed: number;
  /** Seconds before each cold-start level; `auto`: measured first (collectors/idle_timeout.ts). */
  idle_wait_s: number | "auto";
  cold_retries: number;
  from: number;
  increment: number;
  code: string | null;
  kind: string | null;
  memory_mb: number;
  plan: string | null;
  on_error: ErrorPolicy;
  retries: number;
  timeout_s: number;
  /** Seconds an idle connection is kept; 0: a new connection per request. */
  keep_alive_s: number;
  poll_deadline_s: number;
  /** Run even where the plan exceeds OpenWhisk's limits (collectors/limits.ts). */
  ignore_limits: boolean;
  flush_every_s: number;
  /** Samplers started beside the experiment (none by default). */
  sample: (typeof SAMPLERS)[number][];
  sample_interval_s: number;
  ps_name: string;
  docker_host: string | null;
}

/** A parsed command line. */
export interface Parsed {
  experiment?: string;
  help: boolean;
  runtime?: string;
  out: string;
  connection: Omit<ConnectionInputs, "env">;
  params: CommonParams;
}

function number(values: Record<string, unknown>, name: string, def: number, min = 0): number {
  const text = values[name];
  if (text === undefined) return def;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) {
    throw new RangeError(`--${name} is "${text}", expected a number >= ${min}`);
  }
  return n;
}

function integer(values: Record<string, unknown>, name: string, def: number, min = 1): number {
  const n = number(values, name, def, min);
  if (!Number.isInteger(n)) throw new RangeError(`--${name} is "${n}", expected an integer`);
  return n;
}

/**
 * Parses `args` (`<experiment> [flags]`); unknown flags and wrong values are errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./flags.ts";
 * const p = parseFlags(["cold-start", "--runtime", "wasm", "--levels", "3"], "2026-01-01");
 * assert.deepEqual([p.experiment, p.runtime, p.params.levels, p.out, p.params.keep_alive_s],
 *   ["cold-start", "wasm", 3, "data/campaign-2026-01-01", 2]);
 * assert.equal(parseFlags(["concurrency", "--keep-alive", "0"], "").params.keep_alive_s, 0);
 * ```
 */
export function parseFlags(args: string[], today: string): Parsed {
  const booleans = ["insecure", "ignore-limits", "help"];
  const strings = FLAGS.map(([n]) => n).filter((n) => !booleans.includes(n));
  // `-i`, as wsk users type it, is --insecure.
  const long = args.map((a) => a === "-i" ? "--insecure" : a);
  const { values, positionals } = parse(long, strings, booleans);
  if (positionals.length > 1) {
    throw new SyntaxError(`One experiment at a time, got ${positionals.join(", ")}`);
  }
  const v = values as Record<string, string | boolean | undefined>;
  const str = (name: string) => v[name] as string | undefined;
  const onError = str("on-error") ?? "continue";
  if (!["continue", "retry", "stop"].includes(onError)) {
    throw new RangeError(`--on-error is "${onError}", expected continue, retry or stop`);
  }
  const weights = str("weights") ?? "50:50";
  if (!/^\d+(\.\d+)?:\d+(\.\d+)?$/.test(weights)) {
    throw new RangeError(`--weights is "${weights}", expected IO:CPU such as 25:75`);
  }
  const sample = (str("sample") ?? "none") === "none"
    ? []
    : [...new Set(str("sample")!.split(",").map((x) => x.trim()))];
  for (const k of sample) {
    if (!(SAMPLERS as readonly string[]).includes(k)) {
      throw new RangeError(`--sample names "${k}", expected ${SAMPLERS.join(", ")} or none`);
    }
  }
  return {
    experiment: positionals[0],
    help: v.help === true,
    runtime: str("runtime"),
    out: str("out") ?? `data/campaign-${today}`,
    connection: {
      apihost: str("apihost"),
      auth: str("auth"),
      insecure: v.insecure === true,
      ca: str("ca"),
    },
    params: {
      levels: integer(v, "levels", positionals[0] === "capacity" ? 2000 : 15),
      reps: integer(v, "reps", positionals[0] === "cold-start" ? 10 : 1),
      step_s: number(v, "step", DEFAULTS.step),
      workload: str("workload") ?? "hello",
      iterations: integer(v, "iterations", DEFAULTS.iterations, 0),
      input: str("input") ?? "whiskbench",
      weights,
      seed: integer(v, "seed", DEFAULTS.seed, 0),
      idle_wait_s: v["idle-wait"] === "auto"
        ? "auto"
        : number(v, "idle-wait", DEFAULTS["idle-wait"]),
      cold_retries: integer(v, "cold-retries", DEFAULTS["cold-retries"], 0),
      from: integer(v, "from", DEFAULTS.from),
      increment: integer(v, "increment", DEFAULTS.increment),
      code: str("code") ?? null,
      kind: str("kind") ?? null,
      memory_mb: integer(v, "memory", DEFAULTS.memory),
      plan: str("plan") ?? null,
      on_error: onError as ErrorPolicy,
      retries: integer(v, "retries", DEFAULTS.retries, 0),
      timeout_s: number(v, "timeout", DEFAULTS.timeout, 0.001),
      keep_alive_s: number(v, "keep-alive", DEFAULTS["keep-alive"]),
      poll_deadline_s: number(v, "poll-deadline", DEFAULTS["poll-deadline"]),
      ignore_limits: v["ignore-limits"] === true,
      flush_every_s: number(v, "flush-every", DEFAULTS["flush-every"], 0.05),
      sample: sample as CommonParams["sample"],
      sample_interval_s: number(v, "sample-interval", DEFAULTS["sample-interval"], 0.01),
      ps_name: str("ps-name") ?? "executor",
      docker_host: str("docker-host") ?? null,
    },
  };
}

/** The help of one experiment: every flag with its default. */
export function flagsHelp(experiment: string): string {
  const rows = FLAGS.map(([name, def, what]) => `  --${name.padEnd(14)} ${what} (default ${def})`);
  return `usage: deno task collect ${experiment} [flags]\n\nflags:\n${rows.join("\n")}\n  --help`;
}
