/**
 * `collect activations` against the stand-in, which lists activations as OpenWhisk does
 * (newest first, since/upto inclusive on start, skip, limit <= 200, docs or summaries): every
 * record once, a rerun adds nothing, a window keeps exactly its records, summaries are fetched
 * by id through 429s, and a run killed with SIGKILL resumes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readDataset, readTable } from "../dataset/mod.ts";
import { collectActivations } from "../collectors/activations.ts";
import { parseTime } from "../collectors/activations_command.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { coldStartTable } from "../pipeline/latency_tables.ts";
import { type Standin, type StandinOptions, startStandin } from "./standin/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const opts = { sanitizeResources: false, sanitizeOps: false };
const AUTH = "c0ffee00-0000-4000-8000-000000000000:activations-test-key";

async function standin(extra: StandinOptions = {}): Promise<Standin> {
  return await startStandin({
    auth: AUTH,
    actions: ["hello", "other"],
    idleTimeoutMs: 5,
    maxInFlight: 1000,
    ...extra,
  });
}

/** Invokes `n` times (blocking), `hello` and every fourth `other`, a few at a time. */
async function invoke(ow: Standin, n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const k = next++;
      const action = k % 4 === 3 ? "other" : "hello";
      const res = await fetch(`${ow.apihost}/api/v1/namespaces/_/actions/${action}?blocking=true`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(AUTH)}` },
      });
      assert.equal(res.status, 200, await res.text());
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** A client of the stand-in, through `fetch` where given (a flaky network of the test's). */
function api(ow: Standin, fetch?: typeof globalThis.fetch): OpenWhiskApi {
  return new OpenWhiskApi(
    { apihost: ow.apihost, auth: AUTH, insecure: false, authFrom: "test" },
    fetch ? { fetch } : undefined,
  );
}

/**
 * A client of `ow` behind a proxy that rewrites each request's URL (`from` to `to`): an API
 * that caps pages, or ignores a parameter of the list.
 */
function rewritten(ow: Standin, from: RegExp, to: string): OpenWhiskApi {
  return api(
    ow,
    ((input: string | URL | Request, init?: RequestInit) =>
      fetch(String(input).replace(from, to), init)) as typeof fetch,
  );
}

const quiet = { progress: () => {}, sleep: () => Promise.resolve() };

/** Options that keep the run quiet and record each backoff wait in `waits`, without waiting. */
function recordedWaits() {
  const waits: number[] = [];
  const sleep = (ms: number) => {
    waits.push(ms);
    return Promise.resolve();
  };
  return { waits, options: { progress: () => {}, sleep } };
}

async function ids(dir: string): Promise<string[]> {
  return (await readDataset(dir)).activations.getColumn("activation_id").toArray() as string[];
}

Deno.test(
  "collect activations: every record once, a rerun adds nothing, a window its own",
  opts,
  async () => {
    const ow = await standin();
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    const client = api(ow);
    try {
      await invoke(ow, 450);
      const all = ow.records.map((r) => r.activationId as string);
      const dir = join(tmp, "ds");
      const first = await collectActivations(client, dir, { since: 0, upto: Date.now(), ...quiet });
      assert.deepEqual(
        [first.pages, first.listed, first.added, first.known, first.fetched, first.failed.length],
        [3, 450, 450, 0, 0, 0],
      );
      const got = await ids(dir);
      assert.equal(new Set(got).size, 450);
      assert.deepEqual([...got].sort(), [...all].sort());
      // The cold starts the stand-in made are the cold rows, with their waitTime + initTime.
      const cold = ow.records.filter((r) =>
        (r.annotations as { key: string }[]).some((a) => a.key === "initTime")
      );
      const { activations, meta } = await readDataset(dir);
      const table = coldStartTable(activations);
      assert.equal(table.getColumn("n").sum(), cold.length);
      const entry = (meta.activation_collections as Record<string, unknown>[])[0];
      assert.equal(entry.status, "complete");
      assert.ok(!JSON.stringify(meta).includes("activations-test-key"));

      const again = await collectActivations(client, dir, { since: 0, upto: Date.now(), ...quiet });
      assert.deepEqual([again.listed, again.added, again.known], [450, 0, 450]);
      assert.equal((await ids(dir)).length, 450);

      // A window of start times, bounds inclusive, one action.
      const starts = ow.records.map((r) => r.start as number).sort((a, b) => a - b);
      const [since, upto] = [starts[100], starts[300]];
      const window = join(tmp, "window");
      const w = await collectActivations(client, window, { since, upto, name: "other", ...quiet });
      const expected = ow.records.filter((r) =>
        r.name === "other" && (r.start as number) >= since && (r.start as number) <= upto
      ).map((r) => r.activationId as string);
      assert.ok(expected.length > 20);
      assert.equal(w.added, expected.length);
      assert.deepEqual((await ids(window)).sort(), expected.sort());
    } finally {
      client.close();
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect activations: summaries without annotations are fetched by id through 429s",
  opts,
  async () => {
    const ow = await standin({ listSummaries: true, getRejections: 5 });
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    const client = api(ow);
    const { waits, options: recorded } = recordedWaits();
    try {
      await invoke(ow, 30);
      const dir = join(tmp, "ds");
      const r = await collectActivations(client, dir, {
        since: 0,
        upto: Date.now(),
        ...recorded,
      });
      assert.deepEqual([r.added, r.fetched, r.failed.length], [30, 30, 0]);
      assert.deepEqual(waits, [100, 200, 400, 800, 1600]);
      const rows = (await readDataset(dir)).activations;
      assert.equal(rows.getColumn("wait_ms").nullCount(), 0);
    } finally {
      client.close();
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect activations: an activation id from the list is one path segment when fetched by id",
  opts,
  async () => {
    const ow = await standin();
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    const asked: string[] = [];
    // A list whose one summary names an id that would leave its path segment.
    const odd = api(
      ow,
      ((input: string | URL | Request, init?: RequestInit) => {
        const url = String(input);
        asked.push(url);
        if (url.includes("/activations?")) {
          const page = /skip=0&/.test(url) ? [{ activationId: "../actions/x?y#z", start: 1 }] : [];
          return Promise.resolve(Response.json(page));
        }
        return fetch(input, init);
      }) as typeof fetch,
    );
    try {
      const r = await collectActivations(odd, join(tmp, "ds"), { since: 0, upto: 10, ...quiet });
      assert.deepEqual([r.added, r.failed.length], [0, 1]);
      const byId = asked.filter((u) => !u.includes("/activations?"));
      assert.ok(byId.length > 0);
      for (const u of byId) assert.ok(u.endsWith("/activations/..%2Factions%2Fx%3Fy%23z"), u);
    } finally {
      odd.close();
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect activations: a proxy's 503 page, a 504 and a reset connection are retried",
  opts,
  async () => {
    const ow = await standin();
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    // What a gateway in front of a loaded controller answers now and then, on the second
    // page's first three attempts.
    let lists = 0;
    const flaky = ((input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      if (url.includes("/activations?") && !/skip=0&/.test(url) && lists++ < 3) {
        if (lists === 1) {
          return Promise.resolve(
            new Response("<html><body>503 Service Temporarily Unavailable</body></html>", {
              status: 503,
              headers: { "content-type": "text/html" },
            }),
          );
        }
        if (lists === 2) return Promise.resolve(new Response("", { status: 504 }));
        return Promise.reject(new TypeError("error sending request: connection reset"));
      }
      return fetch(input, init);
    }) as typeof fetch;
    const client = api(ow, flaky);
    const { waits, options: recorded } = recordedWaits();
    try {
      await invoke(ow, 450);
      const dir = join(tmp, "ds");
      const r = await collectActivations(client, dir, {
        since: 0,
        upto: Date.now(),
        ...recorded,
      });
      assert.deepEqual([r.pages, r.added, r.failed.length], [3, 450, 0]);
      assert.deepEqual(waits, [100, 200, 400]);
      assert.equal(new Set(await ids(dir)).size, 450);

      // Past its attempts, the run fails naming what came, and keeps the pages it wrote.
      const gone = api(
        ow,
        ((input: string | URL | Request, init?: RequestInit) =>
          /\/activations\?/.test(String(input)) && !/skip=0&/.test(String(input))
            ? Promise.resolve(new Response("<html>502 Bad Gateway</html>", { status: 502 }))
            : fetch(input, init)) as typeof fetch,
      );
      const other = join(tmp, "other");
      await assert.rejects(
        collectActivations(gone, other, { since: 0, upto: Date.now(), ...quiet, attempts: 3 }),
        /Cannot list activations \(upto \d+, skip \d+\): HTTP 502: <html>502 Bad Gateway<\/html>/,
      );
      assert.equal((await ids(other)).length, 200);
    } finally {
      client.close();
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect activations: a page capped below the limit asked is not the end; an API ignoring skip is an error",
  opts,
  async () => {
    const ow = await standin();
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    // A proxy that caps every page at 50, and one that drops `skip` from the query.
    const capped = rewritten(ow, /limit=200/, "limit=50");
    const noWindow = rewritten(ow, /&since=\d+&upto=\d+/, "");
    const noSkip = rewritten(ow, /skip=\d+&?/, "");
    try {
      await invoke(ow, 230);
      const dir = join(tmp, "capped");
      const r = await collectActivations(capped, dir, { since: 0, upto: Date.now(), ...quiet });
      assert.deepEqual([r.pages, r.listed, r.added, r.failed.length], [5, 230, 230, 0]);
      assert.deepEqual(
        (await ids(dir)).sort(),
        ow.records.map((x) => x.activationId as string).sort(),
      );
      // An API that ignores since and upto: what it lists outside the window is left out.
      const starts = ow.records.map((x) => x.start as number).sort((a, b) => a - b);
      const [since, upto] = [starts[50], starts[149]];
      const inside = ow.records.filter((x) =>
        (x.start as number) >= since && (x.start as number) <= upto
      );
      const windowed = join(tmp, "windowed");
      const w = await collectActivations(noWindow, windowed, { since, upto, ...quiet });
      assert.deepEqual([w.listed, w.added, w.outside], [230, inside.length, 230 - inside.length]);
      assert.deepEqual(
        (await ids(windowed)).sort(),
        inside.map((x) => x.activationId as string).sort(),
      );
      const other = join(tmp, "noskip");
      // Paged by `upto`, it still gets every record; the last page, the records of the oldest
      // start, comes again at the next skip, which it cannot tell from the end.
      await assert.rejects(
        collectActivations(noSkip, other, { since: 0, upto: Date.now(), ...quiet }),
        /listed the same \d+ activations at skip \d+ and skip \d+ \(an API that ignores skip\)/,
      );
      assert.equal((await ids(other)).length, 230);
    } finally {
      capped.close();
      noSkip.close();
      noWindow.close();
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect activations --name pkg/action: that package's action only, named as OpenWhisk does",
  opts,
  async () => {
    // Records name an action in a package without the package: only the path annotation
    // tells pkg/hello from hello, and the list's name filter goes by it.
    const ow = await standin({ actions: ["hello", "pkg/hello"] });
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    const client = api(ow);
    try {
      for (const action of ["hello", "pkg/hello", "pkg/hello", "hello", "pkg/hello"]) {
        const res = await fetch(
          `${ow.apihost}/api/v1/namespaces/_/actions/${action}?blocking=true`,
          { method: "POST", headers: { authorization: `Basic ${btoa(AUTH)}` } },
        );
        assert.equal(res.status, 200, await res.text());
      }
      const path = (r: Record<string, unknown>) =>
        (r.annotations as { key: string; value: unknown }[]).find((a) => a.key === "path")!.value;
      const inPackage = ow.records.filter((r) => path(r) === "guest/pkg/hello")
        .map((r) => r.activationId as string);
      assert.equal(inPackage.length, 3);
      const dir = join(tmp, "pkg");
      const r = await collectActivations(client, dir, {
        since: 0,
        upto: Date.now(),
        name: "pkg/hello",
        ...quiet,
      });
      assert.deepEqual([r.added, r.failed.length], [3, 0]);
      assert.deepEqual((await ids(dir)).sort(), inPackage.sort());
      const plain = join(tmp, "plain");
      const p = await collectActivations(client, plain, {
        since: 0,
        upto: Date.now(),
        name: "hello",
        ...quiet,
      });
      assert.equal(p.added, 2);
    } finally {
      client.close();
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect activations --name against an API that ignores the name filter: other actions' records left out and counted, summaries too",
  opts,
  async () => {
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    for (const listSummaries of [false, true]) {
      const ow = await standin({ actions: ["hello", "pkg/hello", "bound"], listSummaries });
      // A proxy (or another implementation) that drops `name` from the list's query.
      const noName = rewritten(ow, /&name=[^&]*/, "");
      try {
        for (const action of ["hello", "pkg/hello", "bound", "pkg/hello", "hello", "pkg/hello"]) {
          const res = await fetch(
            `${ow.apihost}/api/v1/namespaces/_/actions/${action}?blocking=true`,
            { method: "POST", headers: { authorization: `Basic ${btoa(AUTH)}` } },
          );
          assert.equal(res.status, 200, await res.text());
        }
        // `bound` as if invoked through a binding of the package: listed as pkg/bound.
        for (const r of ow.records.filter((r) => r.name === "bound")) {
          (r.annotations as unknown[]).push({ key: "binding", value: "guest/pkg" });
        }
        const inPackage = ow.records.filter((r) => r.name === "hello" && r.annotations)
          .filter((r) =>
            (r.annotations as { key: string; value: unknown }[])
              .some((a) => a.key === "path" && a.value === "guest/pkg/hello")
          ).map((r) => r.activationId as string);
        assert.equal(inPackage.length, 3);
        const dir = join(tmp, `pkg-${listSummaries}`);
        const r = await collectActivations(noName, dir, {
          since: 0,
          upto: Date.now(),
          name: "/pkg/hello",
          ...quiet,
        });
        assert.deepEqual(
          [r.listed, r.added, r.otherActions, r.fetched, r.failed.length],
          [6, 3, 3, listSummaries ? 6 : 0, 0],
        );
        assert.deepEqual((await ids(dir)).sort(), inPackage.sort());
        const bound = await collectActivations(noName, join(tmp, `bound-${listSummaries}`), {
          since: 0,
          upto: Date.now(),
          name: "pkg/bound",
          ...quiet,
        });
        assert.deepEqual([bound.added, bound.otherActions], [1, 5]);
      } finally {
        noName.close();
        await ow.close();
      }
    }
    await Deno.remove(tmp, { recursive: true });
  },
);

Deno.test(
  "collect activations: a record whose fetch by id keeps failing is a failure, the rest are kept",
  opts,
  async () => {
    const ow = await standin({ listSummaries: true });
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    try {
      await invoke(ow, 12);
      const lost = ow.records[5].activationId as string;
      const unreachable = ((input: string | URL | Request, init?: RequestInit) =>
        String(input).includes(`/activations/${lost}`)
          ? Promise.reject(new TypeError("error sending request: connection reset"))
          : fetch(input, init)) as typeof fetch;
      const client = api(ow, unreachable);
      const dir = join(tmp, "ds");
      const r = await collectActivations(client, dir, {
        since: 0,
        upto: Date.now(),
        attempts: 3,
        ...quiet,
      });
      assert.deepEqual([r.added, r.failed.length], [11, 1]);
      assert.equal(r.failed[0].id, lost);
      assert.match(r.failed[0].error, /failed 3 times: error sending request: connection reset/);
      assert.ok(!(await ids(dir)).includes(lost));
      assert.ok(!r.failed[0].error.includes("activations-test-key"));
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test("the stand-in's activation list rejects what OpenWhisk rejects", opts, async () => {
  const ow = await standin();
  try {
    const get = async (q: string) => {
      const res = await fetch(`${ow.apihost}/api/v1/namespaces/_/activations?${q}`, {
        headers: { authorization: `Basic ${btoa(AUTH)}` },
      });
      return [res.status, (await res.json()).error];
    };
    assert.deepEqual(await get("limit=201"), [
      400,
      "The value '201' is not in the range of 0 to 200 for activations.",
    ]);
    assert.deepEqual(await get("skip=-1"), [
      400,
      "The value '-1' is not greater than or equal to 0 for activations.",
    ]);
    assert.deepEqual(await get("since=yesterday"), [
      400,
      "Parameter is not a valid value for epoch seconds: yesterday",
    ]);
  } finally {
    await ow.close();
  }
});

Deno.test(
  "collect activations CLI: a run killed with SIGKILL resumes, every record once",
  opts,
  async () => {
    const ow = await standin({ listDelayMs: 1000 });
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-kill-" });
    const dir = join(tmp, "ds");
    const cli = (...more: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "collectors/cli.ts",
          "activations",
          "--since",
          "1970-01-01T00:00:00Z",
          "--out",
          dir,
          ...more,
        ],
        cwd: ROOT,
        env: { NO_COLOR: "1", HOME: "/nonexistent", __OW_API_HOST: ow.apihost, __OW_API_KEY: AUTH },
        stdout: "piped",
        stderr: "piped",
      });
    try {
      await invoke(ow, 500);
      const child = cli().spawn();
      const deadline = Date.now() + 60_000;
      // A page of 200 records is one part, in as many files as it has runtimes: wait for all.
      const stored = async () => (await readTable(dir, "activations", ["activation_id"])).height;
      while ((await stored()) < 200) {
        assert.ok(Date.now() < deadline, "no page written within 60 s");
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill("SIGKILL");
      assert.equal((await child.status).signal, "SIGKILL");
      await child.stdout.cancel();
      await child.stderr.cancel();
      const partial = await ids(dir);
      assert.ok(partial.length >= 200 && partial.length < 500, `${partial.length} rows`);

      const out = await cli("--namespace", "guest").output(); // the key's namespace by name
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      assert.match(text, new RegExp(`wrote ${500 - partial.length} records, 0 failed`));
      assert.match(text, /activations: page 3 \(upto \d+, skip \d+\)/);
      const all = await ids(dir);
      assert.equal(all.length, 500);
      assert.equal(new Set(all).size, 500);
      assert.ok(!text.includes("activations-test-key"));
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test("parseTime() takes epoch ms or ISO 8601, and names the flag otherwise", () => {
  assert.equal(parseTime("1700000000000", "since"), 1700000000000);
  assert.equal(parseTime("2023-11-14T22:13:20Z", "upto"), 1700000000000);
  assert.throws(
    () => parseTime("soon", "upto"),
    /--upto is "soon", expected epoch milliseconds or an ISO 8601 time/,
  );
});

Deno.test(
  "collect activations pages past a store that cannot skip far (Elasticsearch's result window)",
  opts,
  async () => {
    // OpenWhisk's Elasticsearch activation store lists `from skip`, which fails past the
    // index's max_result_window (10,000); here 300. Paging by `upto` (the oldest start seen)
    // keeps `skip` to the records that share that start.
    const ow = await standin({ maxResultWindow: 300 });
    const tmp = await Deno.makeTempDir({ prefix: "collect-activations-" });
    const client = api(ow);
    try {
      await invoke(ow, 650);
      const dir = join(tmp, "ds");
      const r = await collectActivations(client, dir, {
        since: 0,
        upto: Date.now(),
        ...quiet,
        attempts: 2,
      });
      assert.deepEqual([r.added, r.failed.length], [650, 0]);
      assert.deepEqual(
        (await ids(dir)).sort(),
        ow.records.map((x) => x.activationId as string).sort(),
      );
    } finally {
      client.close();
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);
