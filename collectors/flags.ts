/**
 * The flags of `deno task collect`, the same for every experiment: their names, defaults and
 * help, and their parsing into typed parameters (a wrong value is an error naming the flag).
 */
import { parse } from "./args.ts";
import type { ConnectionInputs } from "./config.ts";
import type { ErrorPolicy } from "./invoke.ts";
import { parseSshUrl } from "./samplers/ssh.ts";

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
  "invoke-workers": 0,
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
    "invoke-workers",
    String(DEFAULTS["invoke-workers"]),
    "Deno workers the concurrency, mixed and capacity loops invoke from (0: this process)",
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
  [
    "ps-host",
    "this machine",
    "ps sampler: ssh://user@host[:port][,ssh://...], one sampler per invoker host over OpenSSH",
  ],
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
  /** Workers the loops' calls go out from (collectors/invoke_workers.ts); 0: none. */
  invoke_workers: number;
  poll_deadline_s: number;
  /** Run even where the plan exceeds OpenWhisk's limits (collectors/limits.ts). */
  ignore_limits: boolean;
  flush_every_s: number;
  /** Samplers started beside the experiment (none by default). */
  sample: (typeof SAMPLERS)[number][];
  sample_interval_s: number;
  ps_name: string;
  /** Hosts the ps sampler samples over ssh (`ssh://user@host[:port]`); none: this machine. */
  ps_hosts: string[];
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
  /** The parameters whose flags were given (a campaign lays them over each plan step's). */
  given: Partial<CommonParams>;
}

/** A flag's text (or, from a plan file, its JSON value) turned into its parameter's value. */
type Validate = (value: string | number | boolean, flag: string) => unknown;

/** Text as given: any string, never a JSON number or boolean. */
const text: Validate = (value, flag) => {
  if (typeof value !== "string") {
    throw new TypeError(`--${flag} is ${JSON.stringify(value)}, expected text`);
  }
  return value;
};

/** A number >= `min`, from text or a JSON number. */
const number = (min = 0): Validate => (value, flag) => {
  const n = typeof value === "boolean" ? NaN : Number(value);
  if (!Number.isFinite(n) || n < min || (typeof value === "string" && value.trim() === "")) {
    throw new RangeError(`--${flag} is "${value}", expected a number >= ${min}`);
  }
  return n;
};

/** An integer >= `min`. */
const integer = (min = 1): Validate => (value, flag) => {
  const n = number(min)(value, flag) as number;
  if (!Number.isInteger(n)) throw new RangeError(`--${flag} is "${n}", expected an integer`);
  return n;
};

/** A switch: present on the command line, `true` or `false` in a plan. */
const boolean: Validate = (value, flag) => {
  if (typeof value !== "boolean") {
    throw new TypeError(`--${flag} is ${JSON.stringify(value)}, expected true or false`);
  }
  return value;
};

const onError: Validate = (value) => {
  if (typeof value !== "string" || !["continue", "retry", "stop"].includes(value)) {
    throw new RangeError(`--on-error is "${value}", expected continue, retry or stop`);
  }
  return value;
};

const weights: Validate = (value) => {
  if (typeof value !== "string" || !/^\d+(\.\d+)?:\d+(\.\d+)?$/.test(value)) {
    throw new RangeError(`--weights is "${value}", expected IO:CPU such as 25:75`);
  }
  return value;
};

const sample: Validate = (value, flag) => {
  const names = text(value, flag) as string;
  if (names === "none") return [];
  const out = [...new Set(names.split(",").map((x) => x.trim()))];
  for (const k of out) {
    if (!(SAMPLERS as readonly string[]).includes(k)) {
      throw new RangeError(`--sample names "${k}", expected ${SAMPLERS.join(", ")} or none`);
    }
  }
  return out;
};

const sshHosts: Validate = (value, flag) => {
  const urls = (text(value, flag) as string).split(",").map((u) => u.trim());
  for (const url of urls) {
    try {
      parseSshUrl(url);
    } catch (err) {
      throw new RangeError(`--${flag}: ${(err as Error).message}`);
    }
  }
  return urls;
};

const idleWait: Validate = (value, flag) => value === "auto" ? "auto" : number()(value, flag);

/**
 * Each flag that sets a parameter: the parameter's name and the one function that validates
 * its value, used alike for the command line and for the steps of a plan file.
 */
const PARAM_FLAGS: Record<string, [keyof CommonParams, Validate]> = {
  "levels": ["levels", integer()],
  "reps": ["reps", integer()],
  "step": ["step_s", number()],
  "workload": ["workload", text],
  "iterations": ["iterations", integer(0)],
  "input": ["input", text],
  "weights": ["weights", weights],
  "seed": ["seed", integer(0)],
  "idle-wait": ["idle_wait_s", idleWait],
  "cold-retries": ["cold_retries", integer(0)],
  "from": ["from", integer()],
  "increment": ["increment", integer()],
  "code": ["code", text],
  "kind": ["kind", text],
  "memory": ["memory_mb", integer()],
  "plan": ["plan", text],
  "on-error": ["on_error", onError],
  "retries": ["retries", integer(0)],
  "timeout": ["timeout_s", number(0.001)],
  "keep-alive": ["keep_alive_s", number()],
  "invoke-workers": ["invoke_workers", integer(0)],
  "poll-deadline": ["poll_deadline_s", number()],
  "ignore-limits": ["ignore_limits", boolean],
  "flush-every": ["flush_every_s", number(0.05)],
  "sample": ["sample", sample],
  "sample-interval": ["sample_interval_s", number(0.01)],
  "ps-name": ["ps_name", text],
  "ps-host": ["ps_hosts", sshHosts],
  "docker-host": ["docker_host", text],
};

/** The parameters of `experiment` where no flag is given. */
export function defaultParams(experiment?: string): CommonParams {
  return {
    levels: experiment === "capacity" ? 2000 : 15,
    reps: experiment === "cold-start" ? 10 : 1,
    step_s: DEFAULTS.step,
    workload: "hello",
    iterations: DEFAULTS.iterations,
    input: "whiskbench",
    weights: "50:50",
    seed: DEFAULTS.seed,
    idle_wait_s: DEFAULTS["idle-wait"],
    cold_retries: DEFAULTS["cold-retries"],
    from: DEFAULTS.from,
    increment: DEFAULTS.increment,
    code: null,
    kind: null,
    memory_mb: DEFAULTS.memory,
    plan: null,
    on_error: "continue",
    retries: DEFAULTS.retries,
    timeout_s: DEFAULTS.timeout,
    keep_alive_s: DEFAULTS["keep-alive"],
    invoke_workers: DEFAULTS["invoke-workers"],
    poll_deadline_s: DEFAULTS["poll-deadline"],
    ignore_limits: false,
    flush_every_s: DEFAULTS["flush-every"],
    sample: [],
    sample_interval_s: DEFAULTS["sample-interval"],
    ps_name: "executor",
    ps_hosts: [],
    docker_host: null,
  };
}

/**
 * The parameters that the flags `values` (by flag name) set, validated; throws for a name
 * that is no parameter's flag or a wrong value, naming the flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paramsOf } from "./flags.ts";
 * assert.deepEqual(paramsOf({ "idle-wait": 0.5, levels: "3" }), { idle_wait_s: 0.5, levels: 3 });
 * assert.throws(() => paramsOf({ levels: 1.5 }), /--levels is "1.5", expected an integer/);
 * ```
 */
export function paramsOf(
  values: Record<string, string | number | boolean>,
): Partial<CommonParams> {
  const out: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(values)) {
    const spec = PARAM_FLAGS[flag];
    if (!spec) throw new RangeError(`--${flag} is no flag that sets a parameter`);
    out[spec[0]] = spec[1](value, flag);
  }
  return out as Partial<CommonParams>;
}

/**
 * Parses `args` (`<experiment> [flags]`); unknown flags and wrong values are errors.
 * `given` holds the parameters of the flags given, `params` those over the defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./flags.ts";
 * const p = parseFlags(["cold-start", "--runtime", "wasm", "--levels", "3"], "2026-01-01");
 * assert.deepEqual([p.experiment, p.runtime, p.params.levels, p.out, p.params.keep_alive_s],
 *   ["cold-start", "wasm", 3, "data/campaign-2026-01-01", 2]);
 * assert.deepEqual(p.given, { levels: 3 });
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
  const given = paramsOf(
    Object.fromEntries(
      Object.entries(v).filter((e): e is [string, string | boolean] =>
        e[0] in PARAM_FLAGS && e[1] !== undefined
      ),
    ),
  );
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
    params: { ...defaultParams(positionals[0]), ...given },
    given,
  };
}

/** The help of one experiment: every flag with its default. */
export function flagsHelp(experiment: string): string {
  const rows = FLAGS.map(([name, def, what]) => `  --${name.padEnd(14)} ${what} (default ${def})`);
  return `usage: deno task collect ${experiment} [flags]\n\nflags:\n${rows.join("\n")}\n  --help`;
}
