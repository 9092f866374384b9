import assert from "node:assert/strict";
import { join } from "node:path";
import type { Connection } from "../collectors/config.ts";
import { deploy, recordActionFacts } from "../collectors/deploy.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { readDataset } from "../dataset/mod.ts";
import { actionsTable } from "../pipeline/mod.ts";
import { startStandin } from "./standin/mod.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const DOCKER = new URL("../actions/docker", import.meta.url).pathname;
const NAMES = ["hello", "hello1", "hello2", "hello3", "hash", "prime", "net", "sleep"];

type Json = Record<string, unknown>;

async function setup() {
  const ow = await startStandin({ actions: [] });
  const conn: Connection = { apihost: ow.apihost, auth: ow.auth, insecure: false, authFrom: "t" };
  const api = new OpenWhiskApi(conn);
  const get = async (name: string) =>
    (await api.request("GET", api.path(`actions/${name}`))).body as Json;
  const all = async () => {
    const list = (await api.request("GET", api.path("actions?limit=200"))).body as Json[];
    return Object.fromEntries(
      await Promise.all(list.map(async (a) => [a.name, await get(a.name as string)])),
    ) as Record<string, Json>;
  };
  return { ow, api, get, all };
}

Deno.test(
  "deploy() creates the benchmark actions from the Go sources, as given",
  opts,
  async () => {
    const { ow, api, get, all } = await setup();
    try {
      const r = await deploy(api, { code: DOCKER, runtime: "docker", copies: 3 });
      assert.deepEqual(r.actions.map((a) => [a.name, a.state]), NAMES.map((n) => [n, "created"]));
      const docs = await all();
      assert.deepEqual(Object.keys(docs).sort(), [...NAMES].sort());
      for (const name of NAMES) {
        const doc = docs[name], exec = doc.exec as Json;
        const base = name.replace(/\d+$/, "");
        assert.equal(exec.kind, "go:1.20");
        assert.equal(exec.binary, false);
        assert.equal(exec.code, await Deno.readTextFile(join(DOCKER, `${base}.go`)));
        assert.equal((doc.limits as Json).memory, 256);
        const mark = (doc.annotations as Json[]).find((a) => a.key === "whiskbench")!.value as Json;
        assert.deepEqual([mark.action, mark.file], [base, `${base}.go`]);
        assert.match(mark.sha256 as string, /^[0-9a-f]{64}$/);
      }
      assert.deepEqual((await get("hash")).parameters, [
        { key: "iterations", value: 100000 },
        { key: "input", value: "whiskbench" },
      ]);
      assert.deepEqual((await get("net")).parameters, []);
      // The facts of Tables 1, 2, by action.
      assert.deepEqual(r.facts.map((f) => [f.action, f.file, f.type]), [
        ["hello", "hello.go", "behaviour showcasing"],
        ["hash", "hash.go", "CPU-bound"],
        ["prime", "prime.go", "CPU-bound"],
        ["net", "net.go", "IO-bound (simulated)"],
        ["sleep", "sleep.go", "behaviour showcasing"],
      ]);
      assert.ok(r.facts.every((f) => f.lines_of_code > 5 && f.size_kb > 0));
    } finally {
      await ow.close();
    }
  },
);

Deno.test("deploy() twice leaves the same actions; a change updates them", opts, async () => {
  const { ow, api, all } = await setup();
  try {
    await deploy(api, { code: DOCKER, runtime: "docker", copies: 3 });
    const first = await all();
    const again = await deploy(api, { code: DOCKER, runtime: "docker", copies: 3 });
    assert.ok(again.actions.every((a) => a.state === "unchanged"));
    assert.deepEqual(await all(), first); // versions included: nothing was written
    const more = await deploy(api, { code: DOCKER, runtime: "docker", copies: 3, memoryMb: 512 });
    assert.ok(more.actions.every((a) => a.state === "updated"));
    const docs = await all();
    assert.equal((docs.sleep.limits as Json).memory, 512);
    assert.equal(docs.sleep.version, "0.0.2");
    const hash = await deploy(api, {
      code: DOCKER,
      runtime: "docker",
      copies: 3,
      memoryMb: 512,
      hash: { iterations: 10, input: "x" },
    });
    assert.deepEqual(
      hash.actions.filter((a) => a.state !== "unchanged").map((a) => a.name),
      ["hash"],
    );
  } finally {
    await ow.close();
  }
});

Deno.test(
  "deploy() of Wasm zips: binary code, kind wasm:0.1; a missing one is named",
  opts,
  async () => {
    const { ow, api, get } = await setup();
    const dir = await Deno.makeTempDir({ prefix: "wasm-actions-" });
    try {
      const zip = (name: string) =>
        new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode(name)]);
      for (const a of ["hello", "hash", "prime", "net"]) {
        await Deno.writeFile(join(dir, `${a}-wasmtime.zip`), zip(a));
      }
      await assert.rejects(
        deploy(api, { code: dir, runtime: "wasm", copies: 1 }),
        new RegExp(`No source of the sleep action in ${dir}: expected sleep-wasmtime.zip`),
      );
      await Deno.writeFile(join(dir, "sleep.zip"), zip("sleep"));
      const r = await deploy(api, { code: dir, runtime: "wasm", copies: 1 });
      assert.equal(r.actions.length, 6);
      const doc = await get("sleep"), exec = doc.exec as Json;
      assert.deepEqual([exec.kind, exec.binary], ["wasm:0.1", true]);
      assert.deepEqual(
        Uint8Array.from(atob(exec.code as string), (c) => c.charCodeAt(0)),
        zip("sleep"),
      );
      assert.equal(r.facts[0].lines_of_code, 0); // a zip has no lines to count

      // The facts go into a dataset's dataset.json, per runtime, and Tables 1, 2 read them.
      const ds = join(dir, "ds");
      await recordActionFacts(ds, r.facts);
      await recordActionFacts(
        ds,
        (await deploy(api, { code: DOCKER, runtime: "docker", copies: 1 })).facts,
      );
      await recordActionFacts(ds, r.facts); // again: replaced, not added
      const table = actionsTable((await readDataset(ds)).meta);
      assert.deepEqual(table.groupBy("runtime").len().sort("runtime").toRecords(), [
        { runtime: "docker", len: 5 },
        { runtime: "wasm", len: 5 },
      ]);
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/**
 * `v` with every object's keys in another order (reversed alphabetical), as a store of JSON
 * documents may give them back (PostgreSQL's jsonb orders them by length, then bytes).
 */
function reorderedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reorderedKeys);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(
    Object.keys(v).sort().reverse().map((k) => [k, reorderedKeys((v as Json)[k])]),
  );
}

Deno.test(
  "deploy() twice changes nothing where the API gives its documents back in another key and parameter order",
  opts,
  async () => {
    // OpenWhisk keeps parameters and an annotation's value as maps (Parameters.scala): their
    // order is not part of the document, and an implementation whose store orders keys its own
    // way answers them reordered; the same action is still the same.
    const ow = await startStandin({ actions: [] });
    const reordering = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (init?.method !== "GET" || !/\/actions\/[^?]+/.test(String(input))) return res;
      const doc = await res.json();
      if (Array.isArray(doc?.parameters)) doc.parameters.reverse();
      return Response.json(reorderedKeys(doc), { status: res.status });
    }) as typeof fetch;
    const conn: Connection = { apihost: ow.apihost, auth: ow.auth, insecure: false, authFrom: "t" };
    const api = new OpenWhiskApi(conn, { fetch: reordering });
    try {
      await deploy(api, { code: DOCKER, runtime: "docker", copies: 1 });
      const again = await deploy(api, { code: DOCKER, runtime: "docker", copies: 1 });
      assert.deepEqual(
        again.actions.filter((a) => a.state !== "unchanged").map((a) => a.name),
        [],
      );
      // A changed parameter is still a change.
      const changed = await deploy(api, {
        code: DOCKER,
        runtime: "docker",
        copies: 1,
        hash: { iterations: 10, input: "whiskbench" },
      });
      assert.deepEqual(
        changed.actions.filter((a) => a.state !== "unchanged").map((a) => a.name),
        ["hash"],
      );
    } finally {
      await ow.close();
    }
  },
);
