/**
 * The stand-in's controller and invoker: OpenWhisk's REST API as a function of method, URL,
 * body and Authorization header, on a container pool. The HTTP server around it, with its
 * faults on demand and TLS, is in mod.ts.
 */
import { type Clock, systemClock } from "../../collectors/clock.ts";
import { ContainerPool } from "./pool.ts";
import {
  type ActionDoc,
  actionDoc,
  activationId,
  activationRecord,
  listed,
  type Run,
} from "./records.ts";

type Json = Record<string, unknown>;

/** An answer other than 2xx, with OpenWhisk's error text. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const NOT_FOUND = "The requested resource does not exist.";

/** The answer of `GET /api/v1`, as a stock controller gives it. */
export const API_INFO = {
  api_version: "1.0.0",
  api_version_path: "v1",
  build: "whiskbench-standin",
  buildno: "0",
  description: "OpenWhisk API (whiskbench stand-in)",
  swagger_paths: { "api-docs": "/api-docs", ui: "/api/v1/api-docs" },
};

/** Most activations one list request returns (OpenWhisk's Collection.MAX_LIST_LIMIT). */
const MAX_LIST_LIMIT = 200;

/** ActivationResponse's status codes by status text (what a summary's statusCode holds). */
const STATUS_CODES: Record<string, number> = {
  "success": 0,
  "application error": 1,
  "action developer error": 2,
  "whisk internal error": 3,
};

/** Options of {@link controller}. */
export interface ControllerOptions {
  /** The `uuid:key` accepted. */
  auth: string;
  /** Namespace of the key (default `guest`). */
  namespace?: string;
  /** Clock for timestamps and latencies (default the system clock). */
  clock?: Clock;
  /** Scheduling wait of every activation, ms (default 2). */
  waitMs?: number;
  /** Extra wait of a cold start before its container runs, ms (default 5). */
  coldWaitMs?: number;
  /** Init time of a cold start, ms (default 20). */
  initMs?: number;
  /** Run time per action name, ms (default 1 for any action not named). */
  runMs?: Record<string, number>;
  /** Idle containers are removed after this long, ms (default 10 000, the thesis's setting). */
  idleTimeoutMs?: number;
  /** A blocking invocation that takes longer answers 202 with its id, wall-time ms (default
   * 60 000, OpenWhisk's); also the largest `timeout` parameter accepted. */
  blockingLimitMs?: number;
  /** Activations in flight above which an invocation gets 429 (default 30). */
  maxInFlight?: number;
  /** Invocations a minute above which an invocation gets 429 (default 1 000 000; OpenWhisk's
   * stock deployment allows 60). */
  perMinute?: number;
  /** Actions that fail (502 when blocking, `success: false`). */
  failing?: string[];
  /**
   * Actions whose result is a JSON array (OpenWhisk 2's array results): a blocking invoke
   * answers the array alone, even with `result=false`, its id only in the header.
   */
  arrayResults?: string[];
  /** Actions created at start, all of kind `nodejs:20` (for example hello1..hello15). */
  actions?: string[];
  /**
   * List activations as summaries without annotations even with `docs=true`, as an activation
   * store whose listing lacks them (default false: `docs=true` lists full records).
   */
  listSummaries?: boolean;
  /** Each page of the activation list is answered this much later, ms (default 0). */
  listDelayMs?: number;
  /** The first N requests of an activation by id answer 429 (default 0). */
  getRejections?: number;
  /**
   * A list whose `skip` + `limit` exceeds this answers 500, as OpenWhisk's Elasticsearch
   * activation store does past the index's `max_result_window` (10,000 by default:
   * ElasticSearchActivationStore.scala searches `from skip`); default none (CouchDB's).
   */
  maxResultWindow?: number;
}

/** What the controller did, for tests to compare with what a client saw. */
export interface ControllerState {
  /** Activation records in the order they finished. */
  records: Json[];
  /** Ids of the records returned to a client (in an invoke answer or by id), in order. */
  served: string[];
  /** Invocations received, answered 429, dropped (by the server's faults); activations in
   * flight now, and the most in flight at once since a test last set `peakInFlight` to 0. */
  counts: {
    invocations: number;
    rejected429: number;
    dropped: number;
    inFlight: number;
    peakInFlight: number;
  };
  pool: ContainerPool;
  /** Resolves once every activation started so far has ended (its record written or not). */
  settled(): Promise<void>;
}

/** A controller: its state and the function that answers one request. */
export function controller({
  auth,
  namespace = "guest",
  clock = systemClock,
  waitMs = 2,
  coldWaitMs = 5,
  initMs = 20,
  runMs = {},
  idleTimeoutMs = 10_000,
  blockingLimitMs = 60_000,
  maxInFlight = 30,
  perMinute = 1_000_000,
  failing = [],
  arrayResults = [],
  actions = [],
  listSummaries = false,
  listDelayMs = 0,
  getRejections = 0,
  maxResultWindow = Infinity,
}: ControllerOptions): {
  state: ControllerState;
  /** The status, the body and, for an invocation, the activation id of the answer. */
  route: (method: string, url: URL, body: Json, authHeader?: string) => Promise<
    readonly [number, unknown, string?]
  >;
} {
  const pool = new ContainerPool(idleTimeoutMs);
  const docs = new Map<string, ActionDoc>();
  const activations = new Map<string, Json>();
  const order: string[] = [];
  let inFlight = 0;
  /** The activations running now. */
  const running = new Set<Promise<Json>>();
  /** Times of the invocations accepted in the last minute (the per-minute limit). */
  const lastMinute: number[] = [];
  const state: ControllerState = {
    records: [],
    served: [],
    counts: { invocations: 0, rejected429: 0, dropped: 0, inFlight: 0, peakInFlight: 0 },
    pool,
    settled: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
  // `GET /`, in the shape of OpenWhisk's controller (Controller.info): its limits and runtimes.
  const rootInfo = {
    description: "OpenWhisk (whiskbench stand-in)",
    api_paths: ["/api/v1"],
    limits: {
      actions_per_minute: perMinute,
      triggers_per_minute: perMinute,
      concurrent_actions: maxInFlight,
      sequence_length: 50,
      min_action_duration: 100,
      max_action_duration: 300_000,
      min_action_memory: 134_217_728,
      max_action_memory: 536_870_912,
      min_action_logs: 0,
      max_action_logs: 10_485_760,
    },
    runtimes: { nodejs: [{ kind: "nodejs:20", default: true, deprecated: false }] },
  };
  for (const name of actions) {
    docs.set(name, actionDoc(namespace, name, { exec: { kind: "nodejs:20" } }, clock.now()));
  }

  async function execute(doc: ActionDoc, id: string, params: Json): Promise<Json> {
    const received = clock.now();
    inFlight++;
    state.counts.inFlight = inFlight;
    state.counts.peakInFlight = Math.max(state.counts.peakInFlight, inFlight);
    try {
      await clock.sleep(waitMs);
      const { container, cold } = pool.acquire(doc.name, clock.now());
      if (cold) await clock.sleep(coldWaitMs);
      const start = clock.now();
      if (cold) await clock.sleep(initMs);
      const initEnd = clock.now();
      await clock.sleep(runMs[doc.name] ?? 1);
      const end = clock.now();
      pool.release(container, end);
      const success = !failing.includes(doc.name);
      const value = success
        ? { msg: `Hello, ${typeof params.name === "string" ? params.name : "there"}!!` }
        : { error: `action ${doc.name} failed (stand-in)` };
      const result = arrayResults.includes(doc.name) ? [value] : value;
      const run: Run = {
        id,
        doc,
        received,
        start,
        end,
        init: cold ? initEnd - start : undefined,
        result,
        success,
      };
      const record = activationRecord(run);
      activations.set(id, record);
      order.push(id);
      state.records.push(record);
      return record;
    } finally {
      inFlight--;
      state.counts.inFlight = inFlight;
    }
  }

  async function invoke(
    doc: ActionDoc,
    q: URLSearchParams,
    body: Json,
  ): Promise<[number, unknown, string?]> {
    state.counts.invocations++;
    // `timeout`, when given, must be whole ms in (0, the blocking limit], else a 400 before
    // anything runs (Actions.scala, its FiniteDuration unmarshaller; ErrorResponse.scala).
    const timeout = q.get("timeout");
    if (
      timeout !== null && !(/^\d+$/.test(timeout) && +timeout > 0 && +timeout <= blockingLimitMs)
    ) {
      throw new HttpError(400, `Timeout must be number of milliseconds up to ${blockingLimitMs}.`);
    }
    const now = clock.now();
    while (lastMinute.length > 0 && lastMinute[0] <= now - 60_000) lastMinute.shift();
    if (lastMinute.length >= perMinute) {
      state.counts.rejected429++;
      throw new HttpError(
        429,
        `Too many requests in the last minute (count: ${
          lastMinute.length + 1
        }, allowed: ${perMinute}).`,
      );
    }
    lastMinute.push(now);
    if (inFlight >= maxInFlight) {
      state.counts.rejected429++;
      throw new HttpError(
        429,
        `Too many concurrent requests in flight (count: ${inFlight}, allowed: ${maxInFlight}).`,
      );
    }
    const id = activationId();
    const activation = execute(doc, id, body);
    running.add(activation);
    activation.finally(() => running.delete(activation)).catch(() => {});
    if (q.get("blocking") !== "true") return [202, { activationId: id }, id];
    // The blocking limit is wall time even under a manual clock (whose sleeps return at once).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<undefined>((r) => {
      // The blocking `timeout` parameter (ms) shortens the wait, as OpenWhisk's does.
      const wait = timeout === null ? blockingLimitMs : Number(timeout);
      timer = setTimeout(() => r(undefined), wait);
    });
    const record = await Promise.race([activation, timedOut]);
    clearTimeout(timer);
    if (!record) return [202, { activationId: id }, id];
    const response = record.response as Json;
    const status = response.success ? 200 : 502;
    // An array result is the whole answer, with or without `result=true` (Actions.scala,
    // doInvoke): the record itself is then only to be had by id.
    if (Array.isArray(response.result)) return [status, response.result, id];
    state.served.push(id);
    return [status, q.get("result") === "true" ? response.result : record, id];
  }

  async function route(method: string, url: URL, body: Json, authHeader?: string) {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts.length === 0 && method === "GET") return [200, rootInfo] as const;
    if (parts[0] !== "api" || parts[1] !== "v1") throw new HttpError(404, NOT_FOUND);
    if (parts.length === 2 && method === "GET") return [200, API_INFO] as const;
    if (parts[2] !== "namespaces") throw new HttpError(404, NOT_FOUND);
    if (!authHeader) {
      throw new HttpError(
        401,
        "The resource requires authentication, which was not supplied with the request",
      );
    }
    if (authHeader !== `Basic ${btoa(auth)}`) {
      throw new HttpError(401, "The supplied authentication is invalid");
    }
    if (parts.length === 3) return [200, [namespace]] as const;
    if (parts[3] !== "_" && parts[3] !== namespace) {
      throw new HttpError(
        403,
        "The supplied authentication is not authorized to access this resource.",
      );
    }
    const [collection, ...rest] = parts.slice(4);
    const name = rest.join("/");
    const q = url.searchParams;
    if (collection === "actions") return await actionsRoute(method, name, q, body);
    if (collection === "activations") return await activationsRoute(method, name, q);
    throw new HttpError(404, NOT_FOUND);
  }

  async function actionsRoute(
    method: string,
    name: string,
    q: URLSearchParams,
    body: Json,
  ): Promise<readonly [number, unknown, string?]> {
    if (!name) {
      if (method !== "GET") throw new HttpError(405, "Method not allowed");
      const all = [...docs.values()].sort((a, b) => b.updated - a.updated).map(listed);
      const skip = Number(q.get("skip") ?? 0), limit = Number(q.get("limit") ?? 30) || 200;
      return [200, all.slice(skip, skip + limit)];
    }
    const doc = docs.get(name);
    switch (method) {
      case "PUT": {
        if (doc && q.get("overwrite") !== "true") {
          throw new HttpError(409, "resource already exists");
        }
        let next: ActionDoc;
        try {
          next = actionDoc(namespace, name, body, clock.now(), doc);
        } catch (err) {
          throw new HttpError(400, `The request content was malformed:\n${(err as Error).message}`);
        }
        docs.set(name, next);
        pool.drop(name);
        return [200, listed(next)];
      }
      case "GET":
        if (!doc) throw new HttpError(404, NOT_FOUND);
        return [200, q.get("code") === "false" ? listed(doc) : doc];
      case "DELETE":
        if (!doc) throw new HttpError(404, NOT_FOUND);
        docs.delete(name);
        pool.drop(name);
        return [200, listed(doc)];
      case "POST":
        if (!doc) throw new HttpError(404, NOT_FOUND);
        return await invoke(doc, q, body);
    }
    throw new HttpError(405, "Method not allowed");
  }

  async function activationsRoute(method: string, id: string, q: URLSearchParams) {
    if (method !== "GET") throw new HttpError(405, "Method not allowed");
    if (!id) return [200, await listActivations(q)] as const;
    if (getRejections > 0) {
      getRejections--;
      throw new HttpError(429, "Too many requests in the last minute (stand-in).");
    }
    const record = activations.get(id);
    if (!record) throw new HttpError(404, NOT_FOUND);
    state.served.push(id);
    return [200, record] as const;
  }

  /**
   * `GET .../activations` as OpenWhisk's controller answers it (Activations.scala,
   * RestAPIs.scala, WhiskStore.scala): newest `start` first; `since` and `upto` (epoch ms,
   * both inclusive) bound `start`; `name` keeps one action's (`pkg/action` in a package); `skip` (>= 0), then `limit`
   * (default 30, 0 meaning the maximum 200, above 200 a 400); `docs=true` full records,
   * otherwise summaries (the activations view's: no response, no logs).
   */
  async function listActivations(q: URLSearchParams): Promise<Json[]> {
    const integer = (key: string, def: number): number => {
      const text = q.get(key);
      if (text === null) return def;
      if (!/^-?\d+$/.test(text)) {
        throw new HttpError(
          400,
          key === "since" || key === "upto"
            ? `Parameter is not a valid value for epoch seconds: ${text}`
            : `The value '${text}' is not an integer for activations.`,
        );
      }
      return Number(text);
    };
    const skip = integer("skip", 0), requested = integer("limit", 30);
    const since = integer("since", 0), upto = integer("upto", Number.MAX_SAFE_INTEGER);
    if (skip < 0) {
      throw new HttpError(
        400,
        `The value '${skip}' is not greater than or equal to 0 for activations.`,
      );
    }
    if (requested < 0 || requested > MAX_LIST_LIMIT) {
      throw new HttpError(
        400,
        `The value '${requested}' is not in the range of 0 to ${MAX_LIST_LIMIT} for activations.`,
      );
    }
    const limit = requested === 0 ? MAX_LIST_LIMIT : requested;
    if (skip + limit > maxResultWindow) {
      throw new HttpError(500, "The server encountered an internal error (stand-in).");
    }
    const name = q.get("name");
    const docs = q.get("docs") === "true" && !listSummaries;
    if (listDelayMs > 0) await clock.sleep(listDelayMs);
    const matching = [...order].reverse()
      .map((i) => activations.get(i)!)
      .filter((r) =>
        (!name || filterName(r) === name) && (r.start as number) >= since &&
        (r.start as number) <= upto
      )
      .sort((a, b) => (b.start as number) - (a.start as number));
    return matching.slice(skip, skip + limit).map((r) => (docs ? r : summary(r)));
  }

  /**
   * The name a record is listed under for the `name` filter, as the activations view keys it
   * (whisks_design_document_for_activations_db_filters_v2.1.1.json): `pkg/action` for an
   * action in a package (from the path annotation), else the record's name.
   */
  function filterName(r: Json): string {
    const path = (r.annotations as { key: string; value: unknown }[])
      .find((a) => a.key === "path")?.value;
    const parts = typeof path === "string" ? path.split("/") : [];
    return parts.length === 3 ? `${parts[1]}/${r.name}` : r.name as string;
  }

  /** A record as the activations view summarizes it (and, with listSummaries, unannotated). */
  function summary(r: Json): Json {
    const { response, logs: _logs, annotations, subject: _subject, ...rest } = r;
    return {
      ...rest,
      ...(listSummaries ? {} : { annotations }),
      statusCode: STATUS_CODES[(response as Json).status as string] ?? 3,
    };
  }

  return { state, route };
}
