/**
 * `deno task standin [options]`: a local stand-in for OpenWhisk's REST API, to try the
 * collectors without an OpenWhisk. Prints the APIHOST and AUTH it serves (and writes them as a
 * wskprops file with `--wskprops FILE`), then serves until Ctrl-C.
 */
import { parse, run } from "../../cli/_args.ts";
import { type Fault, GUEST_AUTH, startStandin } from "./mod.ts";
import { selfSignedCert } from "./tls.ts";

/** The benchmark actions of the thesis and their run times (ms): hello1..hello15 for the
 * cold-start test, net a 300 ms sleep, sleep 5 s. */
export const THESIS_ACTIONS = [
  "hello",
  ...Array.from({ length: 15 }, (_, i) => `hello${i + 1}`),
  "hash",
  "prime",
  "net",
  "sleep",
];
const THESIS_RUN_MS = { hash: 20, prime: 40, net: 300, sleep: 5000 };

export const USAGE = `usage: deno task standin [options]
  --port P                port to listen on (default 3233, OpenWhisk standalone's)
  --auth UUID:KEY         key to accept (default the guest key of a local OpenWhisk)
  --https                 serve HTTPS with a fresh self-signed certificate (--cert/--key: yours)
  --idle-timeout SECONDS  idle containers removed after (default 10, the thesis's setting)
  --init-ms MS            init time of a cold start (default 200)
  --wait-ms MS            scheduling wait of every activation (default 2)
  --cold-wait-ms MS       extra wait of a cold start (default 100)
  --run-ms A=MS,...       run time per action (default hash=20,prime=40,net=300,sleep=5000; others 1)
  --blocking-limit SECONDS  a blocking call that takes longer gets 202 (default 60)
  --max-in-flight N       429 above N activations in flight (default 30, OpenWhisk's namespace
                          limit; where \`collect capacity\` stops)
  --per-minute N          429 above N invocations a minute (default 1000000; OpenWhisk's stock
                          deployment allows 60), told at GET / as OpenWhisk does
  --prefix PATH           serve the API under PATH, as behind a gateway (e.g. /openwhisk)
  --fail A,...            actions that fail (502)
  --drop A[:N]            drop the connection of the next N invocations of A (default 1)
  --cut A[:N]             send the next N answers to A half, after their headers
  --slow A:MS[:N]         answer the next N invocations of A MS late
  --status A:CODE[:N]     answer the next N invocations of A with CODE
  --actions A,...         actions that exist at start (default hello, hello1..hello15, hash,
                          prime, net, sleep)
  --wskprops FILE         also write APIHOST and AUTH to FILE (for WSK_CONFIG_FILE)`;

function pairs(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of (text ?? "").split(",").filter(Boolean)) {
    const [k, v] = p.split("=");
    const n = Number(v);
    if (!k || !Number.isFinite(n)) throw new SyntaxError(`--run-ms: "${p}" is not ACTION=MS`);
    out[k] = n;
  }
  return out;
}

function fault(kind: Fault["kind"], text: string): Fault {
  const [action, a, b] = text.split(":");
  if (kind === "drop" || kind === "cut") return { kind, action, count: Number(a ?? 1) };
  if (kind === "slow") return { kind, action, delayMs: Number(a), count: Number(b ?? 1) };
  return { kind, action, status: Number(a), count: Number(b ?? 1) };
}

if (import.meta.main) {
  await run(async () => {
    const { values } = parse(Deno.args, [
      "port",
      "auth",
      "cert",
      "key",
      "idle-timeout",
      "init-ms",
      "wait-ms",
      "cold-wait-ms",
      "run-ms",
      "blocking-limit",
      "max-in-flight",
      "per-minute",
      "prefix",
      "cut",
      "fail",
      "drop",
      "slow",
      "status",
      "actions",
      "wskprops",
    ], ["https", "help"]);
    if (values.help) return console.log(USAGE);
    let tls: { cert: string; key: string } | undefined;
    if (values.cert && values.key) {
      tls = {
        cert: await Deno.readTextFile(values.cert),
        key: await Deno.readTextFile(values.key),
      };
    } else if (values.https) {
      tls = await selfSignedCert(await Deno.makeTempDir({ prefix: "standin-tls-" }));
    }
    const num = (v: string | undefined, d: number) => v === undefined ? d : Number(v);
    const faults = [
      ...(values.drop ? [fault("drop", values.drop)] : []),
      ...(values.cut ? [fault("cut", values.cut)] : []),
      ...(values.slow ? [fault("slow", values.slow)] : []),
      ...(values.status ? [fault("status", values.status)] : []),
    ];
    const ow = await startStandin({
      port: num(values.port, 3233),
      auth: values.auth ?? GUEST_AUTH,
      tls,
      idleTimeoutMs: num(values["idle-timeout"], 10) * 1000,
      initMs: num(values["init-ms"], 200),
      waitMs: num(values["wait-ms"], 2),
      coldWaitMs: num(values["cold-wait-ms"], 100),
      runMs: values["run-ms"] ? pairs(values["run-ms"]) : THESIS_RUN_MS,
      blockingLimitMs: num(values["blocking-limit"], 60) * 1000,
      maxInFlight: num(values["max-in-flight"], 30),
      perMinute: num(values["per-minute"], 1_000_000),
      prefix: values.prefix ?? "",
      failing: values.fail?.split(",") ?? [],
      actions: values.actions?.split(",") ?? THESIS_ACTIONS,
      faults,
    });
    const props = `APIHOST=${ow.apihost}\nAUTH=${ow.auth}\n`;
    if (values.wskprops) await Deno.writeTextFile(values.wskprops, props);
    console.log(
      props + (tls ? "(self-signed certificate: use --insecure)\n" : "") +
        "serving until Ctrl-C",
    );
    Deno.addSignalListener("SIGINT", async () => {
      await ow.close();
      Deno.exit(0);
    });
  });
}
