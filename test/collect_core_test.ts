import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../collectors/clock.ts";
import {
  normalizeApihost,
  parseWskprops,
  redact,
  resolveConnection,
} from "../collectors/config.ts";
import { hostFacts, parseProc } from "../collectors/host.ts";
import { openOutput } from "../collectors/output.ts";
import { PartWriter } from "../collectors/part_writer.ts";
import { readTable, TIMING_COLUMNS } from "../dataset/mod.ts";

Deno.test("resolveConnection(): flags over environment over the wskprops file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "props");
    await Deno.writeTextFile(
      file,
      "# a comment\nAPIHOST=10.0.0.5\nAUTH=u:filekey\nNAMESPACE=guest\n",
    );
    const env = { WSK_CONFIG_FILE: file };
    const fromFile = await resolveConnection({ env });
    assert.deepEqual(fromFile, {
      apihost: "https://10.0.0.5",
      auth: "u:filekey",
      insecure: false,
      caFile: undefined,
      authFrom: `AUTH in ${file}`,
      assumedHttps: true,
    });
    const fromEnv = await resolveConnection({
      env: {
        ...env,
        __OW_API_HOST: "http://h:3233",
        __OW_API_KEY: "u:envkey",
        __OW_IGNORE_CERTS: "true",
      },
    });
    assert.deepEqual(
      [fromEnv.apihost, fromEnv.auth, fromEnv.authFrom, fromEnv.insecure],
      ["http://h:3233", "u:envkey", "__OW_API_KEY", true],
    );
    assert.equal(fromEnv.assumedHttps, false);
    const fromFlags = await resolveConnection({ apihost: "h2:443", auth: "u:flagkey", env });
    assert.deepEqual([fromFlags.apihost, fromFlags.auth], ["https://h2", "u:flagkey"]);
    await assert.rejects(
      resolveConnection({ auth: "nocolon", env }),
      (e: Error) => e.message === "The OpenWhisk key from --auth is not of the form UUID:KEY",
    );
    await assert.rejects(
      resolveConnection({ env: { WSK_CONFIG_FILE: join(dir, "missing") } }),
      /Cannot read the OpenWhisk config file .*missing/,
    );
    await assert.rejects(
      resolveConnection({ env: { HOME: dir } }),
      new RegExp(
        `No OpenWhisk API host: give --apihost, set __OW_API_HOST, or put APIHOST in ${dir}/.wskprops`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseWskprops(), normalizeApihost() and redact()", () => {
  assert.deepEqual(parseWskprops("APIHOST = a:1\r\n\nAUTH=x:y=z\n"), {
    APIHOST: "a:1",
    AUTH: "x:y=z",
  });
  assert.equal(normalizeApihost("http://127.0.0.1:3233/"), "http://127.0.0.1:3233");
  assert.equal(normalizeApihost("openwhisk.example:31001"), "https://openwhisk.example:31001");
  // A gateway's path prefix is kept.
  assert.equal(normalizeApihost("http://gateway/openwhisk/"), "http://gateway/openwhisk");
  const auth = "23bc46b1:s3cret";
  assert.equal(
    redact(`key ${auth}, half s3cret, header Basic ${btoa(auth)}`, auth),
    "key ***, half ***, header Basic ***",
  );
});

Deno.test("PartWriter flushes by time and on demand, never overwriting a part", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = new ManualClock();
    // A part of that name already there (another collection): the writer takes the next.
    const w0 = new PartWriter(dir, "timings", "x", TIMING_COLUMNS, { clock });
    w0.push({ runtime: "r", action: "a", phase: "init", run: 1, us: 1 });
    await w0.flush();
    const w = new PartWriter(dir, "timings", "x", TIMING_COLUMNS, { clock, flushEveryMs: 5000 });
    const row = (us: number) => ({ runtime: "r", action: "a", phase: "init", run: 1, us });
    w.push(row(2));
    w.push(row(3));
    assert.equal(w.pending, 2);
    clock.advance(5000);
    w.push(row(4)); // 5 s since the last part: written now
    await w.flush(); // nothing pending: no empty part
    w.push(row(5));
    await w.flush();
    assert.deepEqual(w.parts.map((p) => p.split("/").pop()), ["x.0002.parquet", "x.0003.parquet"]);
    await Deno.writeTextFile(join(dir, "timings", "x.0004.parquet.tmp"), "half a part"); // a kill -9
    const all = await readTable(dir, "timings");
    assert.deepEqual(all.getColumn("us").toArray(), [1, 2, 3, 4, 5]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("host facts come from /proc and uname", async () => {
  assert.deepEqual(
    parseProc(
      "processor\t: 0\nmodel name\t: Test CPU @ 2GHz\n\nprocessor\t: 1\nmodel name\t: Test CPU @ 2GHz\n",
      "MemTotal:        8118968 kB\nMemFree: 1 kB\n",
    ),
    { cpu: "Test CPU @ 2GHz", cpus: 2, memory_mb: 7928.68 },
  );
  const facts = await hostFacts();
  assert.ok((facts.cpus ?? 0) >= 1 && (facts.memory_mb ?? 0) > 0);
  assert.match(facts.uname ?? "", /^Linux /);
});

Deno.test("openOutput() refuses to add to a dataset that collect did not make", async () => {
  const thesis = new URL("../data/thesis", import.meta.url).pathname;
  await assert.rejects(
    openOutput(thesis, {
      experiment: "cold_start",
      runtime: "wasm",
      workload: "hello",
      parameters: {},
      host: {},
      openwhisk: { apihost: "", api: {} },
    }),
    /data\/thesis is a dataset not made by deno task collect .*give another --out/,
  );
});
