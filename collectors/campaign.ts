/**
 * `deno task collect all`: a whole campaign for one runtime, in the thesis's order with the
 * thesis's parameters (or the steps of a plan file), into one dataset. Resumable: a step whose
 * collection in the dataset is complete (same experiment, runtime, workload and every
 * parameter that changes the measurement, see {@link measuringParams}) is skipped on a rerun;
 * an interrupted, stopped or failed one runs again, its rows so far kept.
 *
 * A plan file is JSON: a list of steps (or `{"steps": [...]}`), each `{"experiment": NAME}`
 * with any flags of that experiment by name, e.g.
 * `[{"experiment": "concurrency", "workload": "hash", "iterations": 100000}]`. Flags given to
 * `collect all` itself (a quicker `--step`, `--levels` ...) apply to every step, over the plan;
 * `--workload` and `--weights` are the steps' own.
 */
import { readMeta } from "../dataset/mod.ts";
import { MIXED_LOADS } from "../pipeline/thesis_facts.ts";
import { type ExperimentResult, EXPERIMENTS } from "./experiments.ts";
import { type CommonParams, defaultParams, paramsOf } from "./flags.ts";

/** One step of a plan: an experiment and its flags by name. */
export interface PlanStep {
  experiment: string;
  [flag: string]: string | number | boolean;
}

/** One experiment to run, as the CLI runs it. */
export interface Step {
  name: string;
  runtime: string;
  dir: string;
  params: CommonParams;
}

/** The thesis's campaign (for one runtime): what `collect all` runs without `--plan`. */
export const THESIS_PLAN: PlanStep[] = [
  { experiment: "deploy" },
  { experiment: "cold-start", workload: "hello", levels: 15, reps: 10 },
  { experiment: "concurrency", workload: "hello", levels: 15, step: 5 },
  { experiment: "concurrency", workload: "hash", levels: 15, step: 5, iterations: 100_000 },
  ...MIXED_LOADS.map((m) => ({
    experiment: "mixed",
    workload: m.workload,
    levels: 15,
    step: 5,
  })),
  { experiment: "capacity" },
];

/** Reads a plan file; throws naming the file and the step for a wrong one. */
export async function readPlan(file: string): Promise<PlanStep[]> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(file));
  } catch (err) {
    throw new SyntaxError(`Cannot read the plan ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const steps = Array.isArray(value) ? value : (value as { steps?: unknown })?.steps;
  if (!Array.isArray(steps)) {
    throw new TypeError(`Plan ${file}: expected a list of steps or {"steps": [...]}`);
  }
  steps.forEach((s, i) => {
    const name = (s as PlanStep)?.experiment;
    if (typeof name !== "string" || !(name in EXPERIMENTS) || name === "all") {
      throw new TypeError(
        `Plan ${file} step ${i + 1}: experiment is ${JSON.stringify(name)}, expected one of ` +
          Object.keys(EXPERIMENTS).filter((n) => n !== "all").join(", "),
      );
    }
    planParams(s as PlanStep, `Plan ${file} step ${i + 1}`);
  });
  return steps as PlanStep[];
}

/**
 * The parameters a plan step sets, validated by the flags' own rules; throws naming `where`
 * (the plan file and the step) and the key. `plan` is no step's to set.
 */
function planParams(step: PlanStep, where: string): Partial<CommonParams> {
  const out: Partial<CommonParams> = {};
  for (const [key, value] of Object.entries(step)) {
    if (key === "experiment") continue;
    try {
      if (key === "plan") throw new RangeError("a plan cannot name another plan");
      if (!["string", "number", "boolean"].includes(typeof value)) {
        throw new TypeError(`is ${JSON.stringify(value)}, expected text, a number or a boolean`);
      }
      Object.assign(out, paramsOf({ [key]: value }));
    } catch (err) {
      throw new RangeError(`${where}: ${key}: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

/**
 * The parameters of one step: the experiment's defaults, then the plan step's own values,
 * then the flags given to `collect all` (`given`), except the steps' own workload and
 * weights and the plan itself.
 */
export function stepParams(
  step: PlanStep,
  given: Partial<CommonParams>,
  where: string,
): CommonParams {
  const { workload: _w, weights: _m, plan: _p, ...campaignWide } = given;
  return { ...defaultParams(step.experiment), ...planParams(step, where), ...campaignWide };
}

async function collections(dir: string): Promise<Record<string, unknown>[]> {
  const meta = await readMeta(dir);
  return Array.isArray(meta?.collections) ? meta.collections : [];
}

/**
 * Parameters that do not change what a step measures: where its plan came from, and how
 * often its parts are written. Every other parameter (levels, repetitions, idle wait,
 * iterations, input, weights, seed, memory, kind, error policy, time-outs, keep-alive,
 * samplers ...) must be the same for a collection to stand for the step; one added later
 * counts too, unless it is listed here.
 */
const NOT_MEASURING = new Set<string>(["plan", "flush_every_s", "code", "ignore_limits"]);

/** The parameters of `params` that decide what a step measures. */
export function measuringParams(params: CommonParams): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => !NOT_MEASURING.has(k)));
}

/** True where `dir` already has a complete collection of this step, with the same parameters. */
export async function stepComplete(dir: string, { name, runtime, params }: Step): Promise<boolean> {
  const e = EXPERIMENTS[name];
  if (!e.column || !e.workload) return false;
  const workload = e.workload(params);
  const wanted = Object.entries(measuringParams(params));
  return (await collections(dir)).some((c) => {
    const p = (c.parameters ?? {}) as Record<string, unknown>;
    return c.status === "complete" && c.experiment === e.column && c.runtime === runtime &&
      c.workload === workload && p.experiment === name &&
      wanted.every(([k, v]) => JSON.stringify(p[k]) === JSON.stringify(v));
  });
}

/** Options of {@link campaign}. */
export interface CampaignOptions {
  runtime: string;
  dir: string;
  /** The parameters of `collect all`'s command line: its plan file, if any. */
  params: CommonParams;
  /** The parameters whose flags `collect all` was given: laid over every step's. */
  given: Partial<CommonParams>;
  /** Runs one experiment step (the CLI's). */
  collect: (step: Step) => Promise<{ code: number; result?: ExperimentResult }>;
  /**
   * Checks one experiment step before any step runs, throwing for one that cannot run (the
   * CLI's: OpenWhisk's limits); default none.
   */
  check?: (step: Step) => void;
  /** Runs the deploy step (the CLI's); default: deploy steps are skipped. */
  deploy?: (step: Step) => Promise<number>;
  /** Where the campaign's lines go (default stdout). */
  log?: (line: string) => void;
}

/** Runs a campaign; returns the exit code (130 when interrupted, 1 if a step failed). */
export async function campaign(
  { runtime, dir, params, given, collect, deploy, check, log = console.log }: CampaignOptions,
): Promise<number> {
  const plan = params.plan ? await readPlan(params.plan) : THESIS_PLAN;
  const source = params.plan ? `Plan ${params.plan}` : "The thesis's plan";
  const steps: Step[] = plan.map((planStep, i) => ({
    name: planStep.experiment,
    runtime,
    dir,
    params: stepParams(planStep, given, `${source} step ${i + 1}`),
  }));
  // The whole plan is checked before its first invocation, not step by step.
  for (const step of steps) if (step.name !== "deploy") check?.(step);
  let code = 0, ran = 0, skipped = 0;
  for (const [i, planStep] of plan.entries()) {
    const step = steps[i];
    const label = `step ${i + 1}/${plan.length}: ${step.name}` +
      (planStep.workload ? ` ${planStep.workload}` : "");
    if (step.name === "deploy") {
      if (!deploy || (!step.params.code && runtime !== "docker")) {
        log(`${label}: skipped (give --code DIR to deploy ${runtime} actions)`);
        continue;
      }
      log(`${label}`);
      code = Math.max(code, await deploy(step));
      continue;
    }
    if (await stepComplete(dir, step)) {
      log(`${label}: skipped, complete in ${dir}`);
      skipped++;
      continue;
    }
    log(label);
    const r = await collect(step);
    ran++;
    if (r.code === 130) {
      log(`campaign interrupted at ${label}; rerun the same command to resume`);
      return 130;
    }
    code = Math.max(code, r.code);
  }
  log(`campaign ${runtime} -> ${dir}: ${ran} steps run, ${skipped} skipped as complete`);
  return code;
}
