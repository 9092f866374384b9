/**
 * `deno task collect activations --since T [--upto T] [--name ACTION] [--namespace NS]
 * --out DIR`: its flags, its connection (as every collector's: ~/.wskprops, environment,
 * flags) and its summary line. The work is collectors/activations.ts.
 */
import { parse } from "./args.ts";
import { collectActivations } from "./activations.ts";
import { redact, resolveConnection } from "./config.ts";
import { OpenWhiskApi } from "./openwhisk.ts";

/** The line `collect --help` gives `activations`. */
export const ACTIVATIONS_LINE =
  "deno task collect activations --since T [--upto T] [--name A] --out DIR: the activation " +
  "records OpenWhisk holds -> a dataset (--help lists its flags).";

/** Help of `collect activations`. */
export const ACTIVATIONS_HELP = `deno task collect activations --since T [flags]
  Pages the activation records OpenWhisk holds into a dataset (resumable: a rerun adds only
  records whose id the dataset lacks).
  --since T        earliest start kept: epoch ms or an ISO 8601 date/time (required)
  --upto T         latest start kept (default: the time the run starts)
  --name ACTION    only this action's activations (pkg/action or action)
  --namespace NS   namespace (default _, the key's own)
  --runtime NAME   fills the runtime column (default: each record's kind annotation)
  --out DIR        dataset folder (default data/activations-<UTC date>)
  --apihost, --auth, --ca   as for every experiment (default ~/.wskprops)`;

/** Epoch ms of `--name`'s value: an integer, or a date the Date parser reads. */
export function parseTime(text: string, flag: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`--${flag} is "${text}", expected epoch milliseconds or an ISO 8601 time`);
  }
  return ms;
}

/** Runs `collect activations` on `args` (after the word `activations`); returns the exit code. */
export async function activationsCommand(
  args: string[],
  env: Record<string, string | undefined>,
  now: Date,
): Promise<number> {
  const { values } = parse(
    args,
    ["since", "upto", "name", "namespace", "runtime", "out", "apihost", "auth", "ca"],
    ["help"],
  );
  if (values.help) {
    console.log(ACTIVATIONS_HELP);
    return 0;
  }
  if (values.since === undefined) throw new Error(`--since is required\n${ACTIVATIONS_HELP}`);
  const since = parseTime(values.since, "since");
  const upto = values.upto === undefined ? now.getTime() : parseTime(values.upto, "upto");
  if (upto < since) throw new RangeError(`--upto (${upto}) is before --since (${since})`);
  const out = values.out ?? `data/activations-${now.toISOString().slice(0, 10)}`;
  const conn = await resolveConnection({
    apihost: values.apihost,
    auth: values.auth,
    ca: values.ca,
    env,
  });
  const api = new OpenWhiskApi(conn, { namespace: values.namespace ?? "_" });
  try {
    await api.check();
    const r = await collectActivations(api, out, {
      since,
      upto,
      name: values.name,
      runtime: values.runtime,
    });
    console.log(
      `wrote ${r.added} records, ${r.failed.length} failed -> ${out} (listed ${r.listed} in ` +
        `${r.pages} pages; ${r.known} already there, ${r.fetched} fetched by id, ${r.skipped} ` +
        `trigger or rule activations skipped` +
        (r.outside > 0 ? `; ${r.outside} outside the window, which the API did not apply` : "") +
        (r.otherActions > 0
          ? `; ${r.otherActions} of other actions than --name, which the API did not apply`
          : "") +
        ")",
    );
    for (const f of r.failed.slice(0, 20)) console.log(`  failed: ${f.id}: ${f.error}`);
    return r.failed.length > 0 ? 1 : 0;
  } catch (err) {
    throw new Error(redact((err as Error).message, conn.auth), { cause: err });
  } finally {
    api.close();
  }
}
