import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { campaign, readPlan, type Step, THESIS_PLAN } from "../collectors/campaign.ts";
import { EXPERIMENTS } from "../collectors/experiments.ts";
import { parseFlags } from "../collectors/flags.ts";
import { openOutput } from "../collectors/output.ts";
import { readDataset } from "../dataset/mod.ts";
import { startStandin } from "./standin/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const opts = { sanitizeResources: false, sanitizeOps: false };
const AUTH = "c0ffee00-0000-4000-8000-000000000000:campaign-key";

async function run(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", HOME: "/nonexistent" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("THESIS_PLAN: the thesis's order and parameters; plan files are checked", async () => {
  assert.deepEqual(
    THESIS_PLAN.map((s) => [s.experiment, s.workload ?? ""]),
    [
      ["deploy", ""],
      ["cold-start", "hello"],
      ["concurrency", "hello"],
      ["concurrency", "hash"],
      ["mixed", "mixed_10_90"],
      ["mixed", "mixed_25_75"],
      ["mixed", "mixed_50_50"],
      ["mixed", "mixed_75_25"],
      ["mixed", "mixed_90_10"],
      ["capacity", ""],
    ],
  );
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "plan.json");
    await Deno.writeTextFile(file, JSON.stringify({ steps: [{ experiment: "cold-start" }] }));
    assert.deepEqual(await readPlan(file), [{ experiment: "cold-start" }]);
    await Deno.writeTextFile(file, JSON.stringify([{ experiment: "cold-start" }, { x: 1 }]));
    await assert.rejects(readPlan(file), /step 2: experiment is undefined, expected one of/);
    await Deno.writeTextFile(file, "[{");
    await assert.rejects(readPlan(file), /Cannot read the plan .*plan\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "campaign(): an interrupted campaign resumes; complete steps are skipped",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "campaign-" });
    const plan = join(dir, "plan.json");
    await Deno.writeTextFile(
      plan,
      JSON.stringify([
        { experiment: "cold-start", levels: 2, reps: 1 },
        { experiment: "concurrency", workload: "hash", levels: 2 },
        { experiment: "mixed", workload: "mixed_10_90", levels: 2 },
      ]),
    );
    const ds = join(dir, "ds");
    const ran: string[] = [];
    let interruptAt = "concurrency";
    /** Writes a collection entry as the CLI does, interrupted at one experiment. */
    const collect = async ({ name, runtime, dir, params }: Step) => {
      const e = EXPERIMENTS[name];
      ran.push(`${name} ${e.workload!(params)}`);
      const out = await openOutput(dir, {
        experiment: e.column!,
        runtime,
        workload: e.workload!(params),
        parameters: { experiment: name, runtime, ...params },
        host: {},
        openwhisk: { apihost: "x", api: {} },
      });
      const status = name === interruptAt ? "interrupted" : "complete";
      await out.finish(status, {});
      return { code: status === "interrupted" ? 130 : 0 };
    };
    const args = ["all", "--runtime", "wasm", "--plan", plan, "--out", ds, "--step", "0.5"];
    const { params, given } = parseFlags(args, "2026-01-01");
    const lines: string[] = [];
    const options = {
      runtime: "wasm",
      dir: ds,
      params,
      given,
      collect,
      log: (l: string) => lines.push(l),
    };
    try {
      assert.equal(await campaign(options), 130);
      assert.deepEqual(ran, ["cold-start hello", "concurrency hash"]);
      assert.match(lines.at(-1)!, /campaign interrupted at step 2\/3: concurrency hash/);
      interruptAt = "";
      assert.equal(await campaign(options), 0);
      assert.deepEqual(ran.slice(2), ["concurrency hash", "mixed mixed_10_90"]);
      assert.ok(lines.includes(`step 1/3: cold-start: skipped, complete in ${ds}`));
      assert.equal(await campaign(options), 0);
      assert.equal(ran.length, 4); // all complete: nothing runs
      assert.match(lines.at(-1)!, /0 steps run, 3 skipped as complete/);
      // The campaign's own flags apply to every step (here --step 0.5), the plan's to its own.
      const entries = (await readDataset(ds)).meta.collections as {
        parameters: { step_s: number; levels: number; iterations: number };
      }[];
      assert.ok(entries.every((e) => e.parameters.step_s === 0.5 && e.parameters.levels === 2));
      // Other parameters make another step: a rerun with 3 levels runs again.
      const more = ["all", "--runtime", "wasm", "--plan", plan, "--out", ds, "--levels", "3"];
      assert.equal(
        await campaign({ ...options, ...parseFlags(more, "2026-01-01") }),
        0,
      );
      assert.equal(ran.length, 7);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "campaign(): a plan step's values reach its parameters; a wrong one names plan, step and key",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "campaign-" });
    const plan = join(dir, "plan.json");
    const write = (steps: unknown) => Deno.writeTextFile(plan, JSON.stringify(steps));
    const steps: Step[] = [];
    // `--insecure` before the experiment: "all" is the experiment, not the switch's value.
    const args = ["--insecure", "all", "--runtime", "wasm", "--plan", plan, "--reps", "3"];
    const run = () =>
      campaign({
        ...parseFlags(args, "2026-01-01"),
        runtime: "wasm",
        dir: join(dir, "ds"),
        collect: async (step) => {
          steps.push(step);
          // Recorded as the CLI records a collection's parameters.
          const e = EXPERIMENTS[step.name];
          const out = await openOutput(step.dir, {
            experiment: e.column!,
            runtime: step.runtime,
            workload: e.workload!(step.params),
            parameters: { experiment: step.name, runtime: step.runtime, ...step.params },
            host: {},
            openwhisk: { apihost: "x", api: {} },
          });
          await out.finish("complete", {});
          return { code: 0 };
        },
        log: () => {},
      });
    try {
      await write([
        { experiment: "cold-start", levels: 2, "idle-wait": 0.25, "ignore-limits": true },
        { experiment: "mixed", workload: "mixed_25_75", weights: "25:75", step: "0.5" },
        { experiment: "capacity", "on-error": "retry", reps: 9 },
      ]);
      assert.equal(await run(), 0);
      const p = ((await readDataset(join(dir, "ds"))).meta.collections as {
        parameters: Step["params"];
      }[]).map((c) => c.parameters);
      assert.deepEqual(
        [p[0].levels, p[0].idle_wait_s, p[0].ignore_limits, p[0].reps, p[0].plan],
        [2, 0.25, true, 3, null],
      );
      assert.deepEqual([p[1].workload, p[1].weights, p[1].step_s, p[1].levels], [
        "mixed_25_75",
        "25:75",
        0.5,
        15,
      ]);
      // The campaign's own flags win over the plan's; the experiment's defaults stay its own.
      assert.deepEqual([p[2].on_error, p[2].reps, p[2].levels, p[2].idle_wait_s], [
        "retry",
        3,
        2000,
        15,
      ]);
      for (
        const [step, message] of [
          [
            { experiment: "concurrency", levels: 0 },
            /levels: --levels is "0", expected a number >= 1/,
          ],
          [
            { experiment: "concurrency", step: "fast" },
            /step: --step is "fast", expected a number/,
          ],
          [{ experiment: "concurrency", weights: "half" }, /weights: --weights is "half"/],
          [{ experiment: "concurrency", levles: 3 }, /levles: --levles is no flag that sets/],
          [{ experiment: "concurrency", workload: null }, /workload: is null, expected text/],
          [{ experiment: "concurrency", "ignore-limits": "yes" }, /expected true or false/],
          [{ experiment: "concurrency", out: "x" }, /out: --out is no flag that sets/],
        ] as const
      ) {
        await write([{ experiment: "cold-start" }, step]);
        await assert.rejects(
          run(),
          (err: Error) =>
            err.message.startsWith(`Plan ${plan} step 2: `) && message.test(err.message),
        );
      }
      assert.equal(steps.length, 3, "a wrong plan runs no step");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "collect all: deploy, cold start, ramps, a mixed load and capacity into one dataset; a rerun skips",
  opts,
  async () => {
    const ow = await startStandin({
      auth: AUTH,
      actions: [],
      idleTimeoutMs: 30,
      initMs: 5,
      maxInFlight: 4,
      runMs: { hello: 5, hash: 10, prime: 10, net: 20, sleep: 200 },
    });
    const tmp = await Deno.makeTempDir({ prefix: "collect-all-" });
    const plan = join(tmp, "plan.json"), ds = join(tmp, "ds");
    await Deno.writeTextFile(
      plan,
      JSON.stringify([
        { experiment: "deploy", levels: 2 },
        { experiment: "cold-start", levels: 2, reps: 1, "idle-wait": 0.06 },
        { experiment: "concurrency", workload: "hello", levels: 2, step: 0.3 },
        { experiment: "concurrency", workload: "hash", levels: 2, step: 0.3 },
        { experiment: "mixed", workload: "mixed_25_75", levels: 2, step: 0.3 },
        { experiment: "capacity", levels: 10 },
      ]),
    );
    const args = [
      "collectors/cli.ts",
      "all",
      "--runtime",
      "docker",
      "--apihost",
      ow.apihost,
      "--auth",
      AUTH,
      "--plan",
      plan,
      "--out",
      ds,
    ];
    try {
      const help = await run(["collectors/cli.ts", "--help"]);
      assert.doesNotMatch(help.text, /not yet there/);
      assert.match(help.text, /all {10}a whole campaign/);
      const mixedHelp = await run(["collectors/cli.ts", "mixed", "--help"]);
      assert.match(mixedHelp.text, /--weights +IO:CPU weights of a mixed load/);

      const first = await run(args);
      assert.equal(first.code, 0, first.text);
      assert.match(first.text, /deployed 7 actions to .*: 7 created, 0 updated, 0 unchanged/);
      assert.match(first.text, /capacity: 4/);
      assert.match(first.text, /campaign docker -> .*: 5 steps run, 0 skipped as complete/);
      assert.ok(!first.text.includes("campaign-key"));

      const data = await readDataset(ds);
      const entries = data.meta.collections as {
        experiment: string;
        workload: string;
        status: string;
      }[];
      assert.deepEqual(entries.map((e) => [e.experiment, e.workload, e.status]), [
        ["cold_start", "hello", "complete"],
        ["concurrency", "hello", "complete"],
        ["concurrency", "hash", "complete"],
        ["concurrency", "mixed_25_75", "complete"],
        ["capacity", "sleep", "complete"],
      ]);
      assert.deepEqual(
        data.activations.groupBy("experiment").agg(pl.col("level").max()).sort("experiment")
          .toRecords(),
        [
          { experiment: "capacity", level: 5 },
          { experiment: "cold_start", level: 2 },
          { experiment: "concurrency", level: 2 },
        ],
      );

      const tables = await run(["cli/tables.ts", ds, "--out", join(tmp, "out")]);
      assert.equal(tables.code, 0, tables.text);
      const written = [...Deno.readDirSync(join(tmp, "out", "tables"))].map((e) => e.name).sort();
      for (
        const t of [
          "actions.csv",
          "capacity.csv",
          "cold_start_docker.csv",
          "warm_docker_hash.csv",
          "warm_docker_hello.csv",
          "warm_docker_mixed_25_75.csv",
        ]
      ) assert.ok(written.includes(t), `${t} in ${written.join(", ")}`);
      const cap = pl.readCSV(join(tmp, "out", "tables", "capacity.csv"));
      assert.deepEqual(cap.select("runtime", "capacity").toRecords(), [
        { runtime: "docker", capacity: 4 },
      ]);

      const invocations = ow.counts.invocations;
      const again = await run(args);
      assert.equal(again.code, 0, again.text);
      assert.match(again.text, /7 unchanged/);
      assert.match(again.text, /0 steps run, 5 skipped as complete/);
      assert.equal(ow.counts.invocations, invocations);
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);
