/**
 * `collect activations`: the activation records a running OpenWhisk already holds, paged out
 * of its list API into a dataset (one row per record, through the same record-to-row function
 * as every importer), so that a production deployment's cold starts reach the same tables.
 *
 * How OpenWhisk lists (Activations.scala, WhiskStore.scala): newest `start` first, `since` and
 * `upto` (epoch ms) inclusive bounds on `start`, `skip` then `limit` (at most 200), `docs=true`
 * for full records. Pages go by `upto`: the next page ends at the oldest start of the last
 * one, past the records of that start already listed, so `skip` stays small: the
 * Elasticsearch activation store (ElasticSearchActivationStore.scala) cannot skip past its
 * index's result window (10,000 records), and CouchDB reads every record it skips. Records
 * stored meanwhile with an older start than a page's shift the next page (a record seen
 * twice, never one missed): rows are kept once by activation id. An API that ignores `upto`
 * (newer records than asked come back) is paged by `skip` alone. The same id check makes a run resumable: a second run over the same window
 * adds only what the dataset does not hold yet, and a run killed mid-way loses at most the
 * page it was writing (each page is one Parquet part, renamed into place when complete).
 * OpenWhisk's CouchDB store lists from its view with `stale=update_after`
 * (ArtifactActivationStore.scala), and a deployment may be set not to store some records at
 * all (ActivationStore.scala, storeAfterCheck): records written just before a run may be
 * missing from it, and a rerun adds them.
 *
 * An item that is not a full record (a store whose listing gives summaries without
 * annotations or response) is fetched by id; a 429, a 5xx of a loaded controller or its proxy,
 * or a failed connection on any request is retried after 100 ms, doubling up to 5 s. Trigger
 * and rule activations (no waitTime, no kind) are not invocations of an action: counted as
 * skipped, not stored.
 */
import {
  ACTIVATION_COLUMNS,
  activationRow,
  exists,
  FrameBuilder,
  lockForWriting,
  readTable,
  updateMeta,
  writePart,
} from "../dataset/mod.ts";
import { checkOutput } from "../dataset/folder.ts";
import {
  isActionRecord,
  RECORD_CONTEXT,
  recordImportColumns,
} from "../ingest/formats/openwhisk_records.ts";
import { type Answer, describe, type OpenWhiskApi } from "./openwhisk.ts";

/** OpenWhisk's largest page of a list request. */
export const MAX_PAGE = 200;

/** Options of {@linkcode collectActivations}. */
export interface ActivationsOptions {
  /** Earliest `start` kept, epoch ms (inclusive). */
  since: number;
  /** Latest `start` kept, epoch ms (inclusive). */
  upto: number;
  /** Only this action's activations (`pkg/action` or `action`). Default all. */
  name?: string;
  /** The rows' runtime. Default each record's `kind` annotation. */
  runtime?: string;
  /** Records a page (default 200, OpenWhisk's maximum). */
  pageLimit?: number;
  /** Attempts of one request that keeps answering 429 or a 5xx, or failing (default 10). */
  attempts?: number;
  /** Waits between attempts (default setTimeout; tests inject one). */
  sleep?: (ms: number) => Promise<void>;
  /** Receives one progress line a page (default: stderr). */
  progress?: (line: string) => void;
}

/** What one run did. */
export interface ActivationsResult {
  pages: number;
  /** Items the list returned. */
  listed: number;
  /** Rows added to the dataset. */
  added: number;
  /** Items already in the dataset (or seen earlier in this run). */
  known: number;
  /** Items fetched by id because the list gave no full record. */
  fetched: number;
  /** Trigger and rule activations (not an action's invocation, see isActionRecord). */
  skipped: number;
  /** Items whose start is outside [since, upto]: listed by an API that ignored the window. */
  outside: number;
  /** Items of another action than `name`: listed by an API that ignored the name filter. */
  otherActions: number;
  /** Items that could not be fetched or read, with why. */
  failed: { id: string; error: string }[];
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a listed item is a full record: annotations and a response. */
function isFull(item: Json): boolean {
  return Array.isArray(item.annotations) && isObject(item.response);
}

/**
 * The name an activation is listed under for the list's `name` filter, as OpenWhisk's
 * activations view keys it (whisks_design_document_for_activations_db_filters_v2.1.1.json):
 * `pkg/action` for an action of a package binding (its `binding` annotation, `ns/pkg`) or of a
 * package (its `path` annotation, `ns/pkg/action`), else the record's `name`; null where the
 * item does not say (no name, or a summary without annotations, whose package is unknown).
 */
function listedName(item: Json): string | null {
  if (typeof item.name !== "string" || !Array.isArray(item.annotations)) return null;
  const value = (key: string) => {
    const a = (item.annotations as unknown[]).findLast((a) => isObject(a) && a.key === key);
    return isObject(a) && typeof a.value === "string" ? a.value.split("/") : null;
  };
  const binding = value("binding"), path = value("path");
  if (binding !== null && binding.length > 1) return `${binding[1]}/${item.name}`;
  if (path !== null && path.length === 3) return `${path[1]}/${item.name}`;
  return item.name;
}

/** `name` as the list's filter reads it: `pkg/action` or `action`, without outer slashes. */
const filterOf = (name: string) => name.trim().replace(/^\/+|\/+$/g, "");

/**
 * Answers a GET is retried on: a 429, and what a controller under load or the proxy in front
 * of it answers for a moment (500 from a store that timed out, 502/503/504 from a gateway,
 * often with an HTML body).
 */
const TRANSIENT = new Set([429, 500, 502, 503, 504]);

/**
 * GET `path`, retrying a {@link TRANSIENT} status or a failed connection (a GET is safe to
 * send again) after 100 ms, doubling up to 5 s, `attempts` times at most; the last answer is
 * returned, the last connection error thrown.
 */
async function getPatiently(
  api: OpenWhiskApi,
  path: string,
  attempts: number,
  sleep: (ms: number) => Promise<void>,
): Promise<Answer> {
  let delay = 100;
  for (let attempt = 1;; attempt++) {
    let answer: Answer | undefined;
    try {
      answer = await api.request("GET", path, { signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      if (attempt >= attempts) {
        throw new Error(api.redact(`GET ${path} failed ${attempts} times: ${describe(err)}`), {
          cause: err,
        });
      }
    }
    if (answer && (!TRANSIENT.has(answer.status) || attempt >= attempts)) return answer;
    await sleep(delay);
    delay = Math.min(delay * 2, 5000);
  }
}

/** The activation ids a dataset holds already. */
async function knownIds(dir: string): Promise<Set<string>> {
  if (!(await exists(dir))) return new Set();
  const ids = (await readTable(dir, "activations", ["activation_id"])).getColumn("activation_id");
  return new Set(ids.toArray().filter((id): id is string => typeof id === "string"));
}

/** A page's activation ids in order, as one string (items without one count as empty). */
function pageIds(items: unknown[]): string {
  return JSON.stringify(
    items.map((i) => (i as { activationId?: unknown } | null)?.activationId ?? null),
  );
}

/** The path of one page of the activation list: full records (`docs`), in [since, upto]. */
function listPath(
  api: OpenWhiskApi,
  { since, upto, name, pageLimit, skip }: {
    since: number;
    upto: number;
    name?: string;
    pageLimit: number;
    skip: number;
  },
): string {
  const q = new URLSearchParams({
    docs: "true",
    limit: String(pageLimit),
    skip: String(skip),
    since: String(since),
    upto: String(upto),
  });
  if (name) q.set("name", name);
  return api.path(`activations?${q}`);
}

/**
 * The rows of a listed page's records not seen before (`seen` grows by them). A summary
 * without what a row needs is fetched by id; what is skipped (not an action's record), known
 * or failed is counted in `result`, so a page never stops the collection.
 */
async function newRows(
  api: OpenWhiskApi,
  items: unknown[],
  where: string,
  seen: Set<string>,
  result: ActivationsResult,
  { attempts, sleep, window, name }: {
    attempts: number;
    sleep: (ms: number) => Promise<void>;
    window: { since: number; upto: number };
    /** The `name` filter asked for, as {@linkcode filterOf} reads it. */
    name?: string;
  },
): Promise<FrameBuilder<typeof ACTIVATION_COLUMNS>> {
  const rows = new FrameBuilder(ACTIVATION_COLUMNS);
  // The name filter is the API's to apply too: another action's record, where it tells, is
  // left out.
  const other = (r: Json) => name !== undefined && (listedName(r) ?? name) !== name;
  for (const [k, item] of items.entries()) {
    const id = isObject(item) && typeof item.activationId === "string" ? item.activationId : null;
    const at = `${where}, item ${k + 1}`;
    if (id === null) {
      result.failed.push({ id: "?", error: `${at}: no activationId` });
      continue;
    }
    if (seen.has(id)) {
      result.known++;
      continue;
    }
    // The list's window is the API's to apply; one that ignores it lists everything.
    const start = (item as Json).start;
    if (typeof start === "number" && (start < window.since || start > window.upto)) {
      result.outside++;
      continue;
    }
    if (other(item as Json)) {
      result.otherActions++;
      continue;
    }
    let record = item as Json;
    if (!isFull(record)) {
      let got: Answer;
      try {
        got = await getPatiently(api, api.activationPath(id), attempts, sleep);
      } catch (err) {
        // One record out of reach stops neither the page nor the run (a rerun fetches it).
        result.failed.push({ id, error: `fetching ${id}: ${(err as Error).message}` });
        continue;
      }
      result.fetched++;
      if (got.status !== 200 || !isObject(got.body) || !isFull(got.body)) {
        result.failed.push({ id, error: `fetching ${id}: ${api.errorText(got)}` });
        continue;
      }
      record = got.body;
      if (other(record)) {
        result.otherActions++;
        continue;
      }
    }
    seen.add(id);
    if (!isActionRecord(record)) {
      result.skipped++;
      continue;
    }
    try {
      rows.push(activationRow(record, RECORD_CONTEXT, `${at} (${id})`));
    } catch (err) {
      seen.delete(id);
      result.failed.push({ id, error: (err as Error).message });
    }
  }
  return rows;
}

/**
 * Pages the activations of `api`'s namespace with `start` in [since, upto] into the dataset
 * `dir` (created, or added to), and records the run in dataset.json under
 * `activation_collections` (at the start, and again at the end).
 */
export async function collectActivations(
  api: OpenWhiskApi,
  dir: string,
  {
    since,
    upto,
    name,
    runtime,
    pageLimit = MAX_PAGE,
    attempts = 10,
    sleep = defaultSleep,
    progress = (line) => console.error(line),
  }: ActivationsOptions,
): Promise<ActivationsResult> {
  await checkOutput(dir, "dataset");
  const unlock = await lockForWriting(dir, "collect", `collect activations ${since}..${upto}`);
  const seen = await knownIds(dir);
  const entry: Json = {
    apihost: api.conn.apihost,
    path: api.path("activations"),
    since,
    upto,
    name: name ?? null,
    format: "openwhisk-api",
    latency: "activation records: wait_ms = waitTime, init_ms = initTime (cold starts only)",
    started: new Date().toISOString(),
    status: "running",
  };
  // This run's entry in dataset.json's `activation_collections`, written now and at the end.
  const saveEntry = () =>
    updateMeta(dir, (found) => {
      const meta = found ?? { source: "OpenWhisk activation API" };
      const runs = Array.isArray(meta.activation_collections)
        ? meta.activation_collections.filter((e: Json) => e.started !== entry.started)
        : [];
      return { ...meta, activation_collections: [...runs, entry] };
    });
  await saveEntry();

  const result: ActivationsResult = {
    pages: 0,
    listed: 0,
    added: 0,
    known: 0,
    fetched: 0,
    skipped: 0,
    outside: 0,
    otherActions: 0,
    failed: [],
  };
  const filter = filterOf(name ?? "") || undefined;
  const stamp = Date.now().toString(36);
  try {
    let last: { skip: number; ids: string } | undefined;
    // The next page: the records with start <= `top`, past the first `skip` of them; `offset`
    // counts the records listed so far, for an API that turns out to ignore `upto`.
    let top = upto, skip = 0, offset = 0, byUpto = true;
    while (true) {
      const list = listPath(api, { since, upto: top, name, pageLimit, skip });
      const at = top === upto ? `skip ${skip}` : `upto ${top}, skip ${skip}`;
      const answer = await getPatiently(api, list, attempts, sleep);
      if (answer.status !== 200 || !Array.isArray(answer.body)) {
        throw new Error(`Cannot list activations (${at}): ${api.errorText(answer)}`);
      }
      const items = answer.body as unknown[];
      // The end is an empty page, not a short one: a deployment (or a proxy) may cap a page
      // below the limit asked for, and the next page starts after what came.
      if (items.length === 0) break;
      const starts = items.map((i) => isObject(i) ? i.start : undefined);
      if (top < upto && starts.some((t) => typeof t === "number" && t > top)) {
        // Newer records than asked: an API that ignores `upto`. This page repeats what came
        // before; from here the pages go by `skip` alone.
        [top, skip, byUpto] = [upto, offset, false];
        continue;
      }
      const ids = pageIds(items);
      if (last !== undefined && ids === last.ids) {
        throw new Error(
          `Cannot page activations: ${api.conn.apihost} listed the same ${items.length} ` +
            `activations at skip ${last.skip} and skip ${skip} (an API that ignores skip); ` +
            `the pages before were kept`,
        );
      }
      last = { skip, ids };
      result.pages++;
      result.listed += items.length;
      const where = `${api.conn.apihost} activation list ${at}`;
      const rows = await newRows(api, items, where, seen, result, {
        attempts,
        sleep,
        window: { since, upto },
        name: filter,
      });
      if (rows.length > 0) {
        result.added += rows.length;
        const part = `api-${stamp}-${String(result.pages).padStart(5, "0")}`;
        const frame = recordImportColumns(rows.toFrame(), "openwhisk-api", { runtime });
        await writePart(dir, "activations", part, frame);
      }
      progress(
        `activations: page ${result.pages} (${at}): listed ${result.listed}, ` +
          `added ${result.added}, known ${result.known}, fetched by id ${result.fetched}, ` +
          `skipped ${result.skipped}, failed ${result.failed.length}` +
          (result.outside > 0 ? `, outside the window ${result.outside}` : "") +
          (result.otherActions > 0 ? `, of other actions ${result.otherActions}` : ""),
      );
      offset += items.length;
      // Next: below the oldest start of this page, past its records of that start; by skip
      // where the page does not say its starts or all share one.
      const oldest = starts.every((t) => typeof t === "number" && Number.isFinite(t))
        ? Math.min(...(starts as number[]))
        : top;
      if (byUpto && oldest < top) {
        [top, skip] = [oldest, starts.filter((t) => t === oldest).length];
      } else skip += items.length;
    }
    Object.assign(entry, { status: "complete" });
  } catch (err) {
    Object.assign(entry, { status: "failed", error: (err as Error).message });
    throw err;
  } finally {
    const { failed, ...counts } = result;
    Object.assign(entry, {
      finished: new Date().toISOString(),
      counts: { ...counts, failed: failed.length },
      failures: failed.slice(0, 20),
    });
    await saveEntry();
    await unlock();
  }
  return result;
}
