/**
 * Secrets and machine paths in a dataset's provenance never reach a report: a corpus of the
 * shapes a key takes in dataset.json (by name, in command lines, wskprops text, URLs, headers,
 * by shape, reused under another name), each with its own secret, checked on `scrub()` alone
 * and then in every file of a report built from a dataset holding all of them. A new shape is
 * one entry of `LEAKS`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildReport } from "../cli/report.ts";
import { findSecrets, REDACTED, scrub } from "../render/redact.ts";
import { pathRoots } from "../render/provenance.ts";
import { writeHostileDataset } from "./_hostile_dataset.ts";

/**
 * One way a secret appears in dataset.json; `keep`: text around it that must survive;
 * `stripped`: removed without a trace (URL credentials) rather than marked redacted.
 */
interface Leak {
  shape: string;
  secret: string;
  meta: Record<string, unknown>;
  keep?: string[];
  stripped?: boolean;
}

/** A distinct secret per case, so that no case is redacted thanks to another. */
const s = (n: number) => `Zq${n}x7Kp${n}vWm${n}Rt${n}`;
/** An OpenWhisk key: the namespace's UUID and 64 letters and digits. */
const owKey = (n: number) =>
  `${String(n).padStart(8, "0")}-71f6-4ed5-8c54-816aa4f8c502:` + `k${n}`.padEnd(64, "Q9");
const base64 = (text: string) => btoa(text);

const LEAKS: Leak[] = [
  { shape: "key named auth", secret: s(1), meta: { auth: s(1) } },
  { shape: "__OW_API_KEY, nested", secret: s(2), meta: { env: { __OW_API_KEY: s(2) } } },
  { shape: "api-key", secret: s(3), meta: { "api-key": s(3) } },
  { shape: "authKey", secret: s(4), meta: { openwhisk: { authKey: s(4) } }, keep: ["authKey"] },
  { shape: "bearer", secret: s(5), meta: { bearer: s(5) } },
  {
    shape: "pass nested in an array",
    secret: s(6),
    meta: { hosts: [{ name: "edge-1", login: { user: "bob", pass: s(6) } }] },
    keep: ["edge-1", "bob"],
  },
  { shape: "Password, capitalised", secret: s(7), meta: { Password: s(7) } },
  {
    shape: "credentials object",
    secret: s(8),
    meta: { credentials: { kind: "basic", value: s(8) } },
  },
  {
    shape: "--auth KEY in a command line",
    secret: s(9),
    meta: { command: `wsk -i --auth ${s(9)} action invoke hello` },
    keep: ["wsk -i --auth", "action invoke hello"],
  },
  { shape: "-u KEY (wsk)", secret: s(10), meta: { command: `wsk -u ${s(10)} list` } },
  {
    shape: "--auth=KEY",
    secret: s(11),
    meta: { cmd: `deno task collect cold-start --auth=${s(11)}` },
    keep: ["deno task collect cold-start --auth="],
  },
  { shape: '--auth "KEY"', secret: s(12), meta: { cmd: `wsk --auth "${s(12)}" list` } },
  {
    shape: "argument list",
    secret: s(13),
    meta: { argv: ["wsk", "--auth", s(13), "list"] },
    keep: ['"list"'],
  },
  {
    shape: "wskprops text",
    secret: s(14),
    meta: { wskprops: `APIHOST=https://10.0.0.1\nAUTH=${s(14)}\nNAMESPACE=guest\n` },
    keep: ["APIHOST=https://10.0.0.1", "NAMESPACE=guest"],
  },
  {
    shape: "user:password@host URL",
    secret: s(15),
    meta: { couchdb: `https://admin:${s(15)}@db.example:5984/whisks` },
    keep: ["https://db.example:5984/whisks"],
    stripped: true,
  },
  {
    shape: "OpenWhisk key by shape, in prose",
    secret: owKey(16),
    meta: { notes: `the guest key ${owKey(16)} was used` },
    keep: ["the guest key"],
  },
  {
    shape: "value of a secret key reused in prose",
    secret: s(17),
    meta: { token: s(17), notes: `rotated ${s(17)} on Monday` },
    keep: ["on Monday"],
  },
  {
    shape: "value of a secret key reused as a key",
    secret: s(18),
    meta: { auth: s(18), per_key: { [s(18)]: 3 } },
  },
  {
    shape: "Basic header (base64 of the key)",
    secret: base64(s(19)),
    meta: { header: `Authorization: Basic ${base64(s(19))}` },
  },
  {
    shape: "Bearer header in a curl line",
    secret: s(20),
    meta: { request: `curl -H "Authorization: Bearer ${s(20)}" http://127.0.0.1:3233/` },
    keep: ["http://127.0.0.1:3233/"],
  },
  {
    shape: "export __OW_API_KEY=KEY",
    secret: s(21),
    meta: { setup: `export __OW_API_KEY=${s(21)}; wsk list` },
    keep: ["wsk list"],
  },
  {
    shape: "api_key in a URL query",
    secret: s(22),
    meta: { url: `http://127.0.0.1:3233/api/v1?api_key=${s(22)}&blocking=true` },
    keep: ["blocking=true"],
  },
  {
    shape: "JSON text inside a string",
    secret: s(23),
    meta: { raw_config: JSON.stringify({ apihost: "10.0.0.1", password: s(23) }) },
  },
  { shape: "X-Auth-Token header", secret: s(24), meta: { headers: { "X-Auth-Token": s(24) } } },
  {
    shape: "URL-encoded in a URL",
    secret: encodeURIComponent(`p@ss/${s(25)}`),
    meta: {
      password: `p@ss/${s(25)}`,
      url: `https://u:${encodeURIComponent(`p@ss/${s(25)}`)}@h.example/x`,
    },
  },
  { shape: "OpenWhisk key as a key name", secret: owKey(26), meta: { keys: { [owKey(26)]: 1 } } },
  { shape: "credential in nested arrays", secret: s(27), meta: { m: [[{ credential: s(27) }]] } },
  {
    shape: "secret half of an OpenWhisk key, alone",
    secret: owKey(28).split(":")[1],
    meta: { auth: owKey(28), note: `key ends ${owKey(28).split(":")[1]}` },
  },
];

/** Machine paths a dataset.json may hold. */
const PATHS = {
  raw: "/home/someone/runs/exp-17/raw",
  log: "see /srv/bench/2026/logs/run.log for details",
};

Deno.test("scrub(): every leak shape leaves no secret and keeps the text around it", () => {
  assert.ok(LEAKS.length >= 20);
  for (const leak of LEAKS) {
    const out = JSON.stringify(scrub(leak.meta));
    assert.ok(!out.includes(leak.secret), `${leak.shape}: ${out}`);
    if (!leak.stripped) assert.ok(out.includes(REDACTED), `${leak.shape}: not marked redacted`);
    for (const k of leak.keep ?? []) {
      assert.ok(out.includes(k), `${leak.shape} lost ${k}: ${out}`);
    }
  }
});

Deno.test("scrub(): ordinary provenance is left as it is", () => {
  const meta = {
    name: "thesis",
    source: "results/final of https://github.com/MarlonFunk/MasterThesis",
    host: { cpu: "i5-1135G7 @ 2.40GHz, 4 cores", memory_mb: 7928.68 },
    author: "someone",
    notes: "Basic settings; Bearer of the results: the Token bucket was off",
    keep_alive_s: 2,
    experiments: { cold_start: { levels: "1-15" } },
  };
  assert.deepEqual(scrub(meta), meta);
  assert.deepEqual([...findSecrets(meta)], []);
});

Deno.test("scrub(): absolute paths are made relative or cut to their last two parts", () => {
  const roots = pathRoots("/data/runs/ds1", "/work/project");
  const out = scrub({
    ...PATHS,
    here: "/work/project/data/thesis",
    ds: "/data/runs/ds1/raw/1_docker_cold_start.log",
    url: "file:///opt/a/b/c",
  }, roots);
  assert.deepEqual(out, {
    raw: ".../exp-17/raw",
    log: "see .../logs/run.log for details",
    here: "data/thesis",
    ds: "ds1/raw/1_docker_cold_start.log",
    url: "file://.../b/c",
  });
});

Deno.test("report: no secret of the corpus and no machine path in any file it writes", async () => {
  const base = await Deno.makeTempDir({ prefix: "whiskbench-redact-" });
  const data = join(base, "ds"), out = join(base, "out");
  const meta: Record<string, unknown> = {
    ...PATHS,
    data_folder: data,
    // Tables 1 and 2 are made of dataset.json's actions: the report shows them as tables too.
    actions: [{
      runtime: "docker",
      file: "hello.go",
      action: "hello",
      lines_of_code: 12,
      size_kb: 3,
      type: `built with --auth ${s(98)} in /home/someone/actions/hello`,
    }],
  };
  for (const [i, leak] of LEAKS.entries()) meta[`leak_${i}`] = leak.meta;
  // The dataset's own published.json is text of the same provenance.
  const published = {
    source: `transcribed from /home/someone/thesis/tables.pdf with token=${s(97)}`,
    tables: [{
      id: "table_3",
      label: "Table 3",
      title: `Cold start, docker (https://bob:${s(96)}@files.example/t3)`,
      kind: "cold_start",
      runtime: "docker",
      rows: [{ level: "1", cov_pct: "1.0", sd: "2.0", mean: "3.0" }],
    }],
  };
  await writeHostileDataset(data, { meta, runtimes: ["docker"], workloads: ["hello"], published });
  await buildReport({
    data,
    out,
    exportFigures: false,
    log: () => {},
    command: ["deno", "task", "report", "--data", data, "--out", out, "--auth", s(99)],
  });
  const files = [
    "tables/thesis/table_3.md",
    "tables/thesis/table_3.tex",
    "tables/actions.csv",
    "tables/actions.md",
    "tables/actions.tex",
    "provenance.json",
    "report.html",
    "report.md",
    "scorecard.txt",
    "scorecard.json",
    "published_vs_computed.md",
  ];
  for (const f of files) {
    const text = await Deno.readTextFile(join(out, f));
    for (const leak of LEAKS) assert.ok(!text.includes(leak.secret), `${f}: ${leak.shape}`);
    assert.ok(!text.includes(s(99)), `${f}: key on the command line`);
    assert.ok(!text.includes(s(98)), `${f}: key in an action's description`);
    for (const k of [s(97), s(96)]) assert.ok(!text.includes(k), `${f}: key in published.json`);
    for (const p of [base, PATHS.raw, "/srv/bench", "/home/someone"]) {
      assert.ok(!text.includes(p), `${f}: ${p}`);
    }
  }
  const prov = JSON.parse(await Deno.readTextFile(join(out, "provenance.json")));
  assert.equal(prov.dataset.path, "ds");
  assert.equal(prov.dataset.meta.data_folder, "ds");
  assert.equal(prov.dataset.meta.leak_8.command, `wsk -i --auth ${REDACTED} action invoke hello`);
  assert.match(
    await Deno.readTextFile(join(out, "tables/actions.csv")),
    /^docker,hello,hello\.go,12,3\.0,built with --auth \[redacted\] in \.\.\.\/actions\/hello$/m,
  );
  // A dataset without a name is titled by its folder's name, not its absolute path.
  const html = await Deno.readTextFile(join(out, "report.html"));
  assert.match(html, /<title>whiskbench report: ds<\/title>/);
  assert.match(await Deno.readTextFile(join(out, "report.md")), /^# whiskbench report: ds\n/);
  await Deno.remove(base, { recursive: true });
});
