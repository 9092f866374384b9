/**
 * The few calls of OpenWhisk's REST API that the collectors make, with basic auth, over the
 * collectors' own HTTP/1.1 client (collectors/http1.ts: keep-alive, and never a request sent
 * twice by itself). Every message it builds goes through {@link redact}, so the key never
 * leaves it.
 *
 * HTTPS with a self-signed certificate: `--ca FILE` trusts that certificate through
 * `Deno.startTls({ caCerts })` (certificates stay verified); `--insecure` (as `wsk -i`)
 * cannot be done per connection in Deno, so the CLI relaunches itself with
 * `--unsafely-ignore-certificate-errors=<API host>`, scoped to that one host.
 */
import { type Connection, redact } from "./config.ts";
import type { Deadline } from "./deadlines.ts";
import { Http1Client } from "./http1.ts";

type Json = Record<string, unknown>;
type Fields = Record<string, string>;

const decoder = new TextDecoder();

/** One HTTP answer: its status and its body parsed as JSON (or `text` when it is not). */
export interface Answer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

/** Options of {@link OpenWhiskApi}. */
export interface ApiOptions {
  /** Namespace in paths (default `_`, the key's own). */
  namespace?: string;
  /** A fetch to use instead of the collectors' HTTP client (tests inject one). */
  fetch?: typeof fetch;
  /**
   * How long an idle connection is kept for the next request, ms (default 2,000); 0 opens a
   * new connection per request.
   */
  keepAliveMs?: number;
}

/** The key was missing or rejected, or the API host could not be reached. */
export class ConnectionError extends Error {}

/** A client of one OpenWhisk API host. */
export class OpenWhiskApi {
  readonly conn: Connection;
  /** The API host's origin, and its path prefix (empty, or `/openwhisk` behind a gateway). */
  readonly #origin: string;
  readonly #prefix: string;
  readonly #namespace: string;
  readonly #fetch?: typeof fetch;
  #client?: Http1Client;
  readonly #keepAliveMs: number;
  /** The header fields of requests, built once: without and with the key, and a JSON body. */
  readonly #headers: Record<"anonymous" | "auth" | "anonymousJson" | "authJson", Fields>;

  constructor(
    conn: Connection,
    { namespace = "_", fetch: f, keepAliveMs = 2000 }: ApiOptions = {},
  ) {
    this.conn = conn;
    const url = new URL(conn.apihost);
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, "");
    this.#keepAliveMs = keepAliveMs;
    this.#namespace = encodeURIComponent(namespace);
    this.#fetch = f;
    const anonymous = { accept: "application/json" };
    const auth = { ...anonymous, authorization: `Basic ${btoa(conn.auth)}` };
    const json = { "content-type": "application/json" };
    this.#headers = {
      anonymous,
      auth,
      anonymousJson: { ...anonymous, ...json },
      authJson: { ...auth, ...json },
    };
  }

  /**
   * Makes the HTTP client (collectors/http1.ts), with the `--ca` certificate if any. Not
   * fetch: on a reused connection that the server drops, Deno's fetch silently sends the POST
   * again (a second invocation, and the dropped one never reported; shown by the stand-in's
   * drop fault); this client rejects instead. Called by the first request if not before.
   */
  async open(): Promise<void> {
    if (this.#client) return;
    const caCerts = this.conn.caFile ? [await Deno.readTextFile(this.conn.caFile)] : undefined;
    const keep = this.#keepAliveMs;
    this.#client ??= new Http1Client(
      keep > 0 ? { caCerts, idleTimeoutMs: keep } : { caCerts, maxIdlePerHost: 0 },
    );
  }

  /**
   * Opens connections until `n` are idle, so that `n` invocations can go out at once without
   * waiting for a connection (see `Http1Client.prepare`; nothing with an injected fetch).
   */
  async prepare(n: number): Promise<void> {
    if (this.#fetch) return;
    if (!this.#client) await this.open();
    await this.#client!.prepare(this.#origin, n);
  }

  /** Closes the client's idle connections. */
  close(): void {
    this.#client?.close();
    this.#client = undefined;
  }

  /** `text` with the key removed. */
  redact(text: string): string {
    return redact(text, this.conn.auth);
  }

  /**
   * The path of activation `id`'s record: the id, which comes from the API, as one path
   * segment (one holding `/`, `?` or `#` would ask for something else).
   */
  activationPath(id: string): string {
    return this.path(`activations/${encodeURIComponent(id)}`);
  }

  /**
   * A path under the namespace, e.g. `actions/hello1`. The namespace is one path segment,
   * encoded: OpenWhisk's names may hold blanks and `@` (EntityName), which a request line
   * cannot carry raw.
   */
  path(rest: string): string {
    return `/api/v1/namespaces/${this.#namespace}/${rest}`;
  }

  /**
   * Sends one request, once: network errors reject (an `Http1Error` saying whether the
   * connection was reused and how much of the answer came), any status resolves.
   */
  async request(
    method: string,
    path: string,
    { body, signal, deadline, auth = true }: {
      body?: unknown;
      signal?: AbortSignal;
      /** A time-out of collectors/deadlines.ts, watched without an AbortSignal where it can. */
      deadline?: Deadline;
      auth?: boolean;
    } = {},
  ): Promise<Answer> {
    const headers = this.#headers[
      body === undefined ? (auth ? "auth" : "anonymous") : (auth ? "authJson" : "anonymousJson")
    ];
    const json = body === undefined ? undefined : JSON.stringify(body);
    let status: number, text: string, fields: Record<string, string>;
    if (this.#fetch) {
      const res = await this.#fetch(this.conn.apihost + path, {
        method,
        headers,
        body: json,
        signal: deadline && signal
          ? AbortSignal.any([signal, deadline.signal])
          : signal ?? deadline?.signal,
      });
      [status, text, fields] = [res.status, await res.text(), Object.fromEntries(res.headers)];
    } else {
      if (!this.#client) await this.open();
      const res = await this.#client!.request(this.#origin, {
        method,
        path: this.#prefix + path,
        headers,
        body: json,
        signal,
        deadline,
      });
      status = res.status;
      text = decoder.decode(res.body);
      fields = res.headers;
    }
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status, headers: fields, body: parsed, text };
  }

  /** The error text of an answer: OpenWhisk's `error` field, else the body's start. */
  errorText(answer: Answer): string {
    const b = answer.body as Json | undefined;
    const text = typeof b?.error === "string" ? b.error : answer.text.slice(0, 200);
    return this.redact(`HTTP ${answer.status}: ${text}`.trim());
  }

  /**
   * `GET /api/v1`, the API's description (build, version), then a request that needs the
   * key. Throws a {@link ConnectionError} saying what is wrong before any experiment starts.
   */
  async check(): Promise<Json> {
    const where = `OpenWhisk at ${this.conn.apihost}`;
    let info: Answer;
    try {
      info = await this.request("GET", "/api/v1", {
        auth: false,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new ConnectionError(
        this.redact(`Cannot reach ${where}: ${describe(err)}` + await this.#schemeHint(err)),
        { cause: err },
      );
    }
    if (info.status !== 200 || typeof info.body !== "object" || info.body === null) {
      throw new ConnectionError(`${where} did not describe its API: ${this.errorText(info)}`);
    }
    const probe = await this.request("GET", this.path("actions?limit=1"), {
      signal: AbortSignal.timeout(30_000),
    });
    if (probe.status === 401 || probe.status === 403) {
      throw new ConnectionError(
        `${where} rejected the key from ${this.conn.authFrom} (${this.errorText(probe)})`,
      );
    }
    if (probe.status !== 200) {
      throw new ConnectionError(`${where} failed to list actions: ${this.errorText(probe)}`);
    }
    return info.body as Json;
  }

  /**
   * `GET /` of the API host: OpenWhisk's controller answers with its `limits` (invocations a
   * minute and in flight) and `runtimes`; null where the host does not (a gateway may not
   * route it).
   */
  async root(): Promise<Json | null> {
    try {
      const a = await this.request("GET", "/", {
        auth: false,
        signal: AbortSignal.timeout(30_000),
      });
      const body = a.body as Json | undefined;
      return a.status === 200 && typeof body === "object" && body !== null && !Array.isArray(body)
        ? body
        : null;
    } catch {
      return null;
    }
  }

  /**
   * Why a first request failed, where a hint helps: a certificate to trust, or an API host
   * given as `host:port`, for which HTTPS was assumed (as wsk does) while the server speaks
   * HTTP (tried once, without the key).
   */
  async #schemeHint(err: unknown): Promise<string> {
    const tls = tlsHint(err);
    if (!this.conn.assumedHttps || !this.conn.apihost.startsWith("https:")) return tls;
    const http = this.conn.apihost.replace(/^https:/, "http:");
    try {
      const client = new Http1Client({ maxIdlePerHost: 0 });
      const url = new URL(http);
      await client.request(url.origin, {
        method: "GET",
        path: `${url.pathname.replace(/\/+$/, "")}/api/v1`,
        signal: AbortSignal.timeout(5_000),
      });
      client.close();
      return ` (the API host was given without a scheme, so HTTPS was assumed, as wsk does; ` +
        `the server speaks HTTP: give --apihost ${http})`;
    } catch {
      return tls + " (the API host was given without a scheme: HTTPS was assumed, as wsk does)";
    }
  }
}

/**
 * Pre-flight: one `GET` of each action before the first invocation, so that a missing action
 * or a key without access to it stops an experiment before it has measured anything (as a
 * 404 in the middle of a run would, after some levels). Throws a {@link ConnectionError}
 * naming every action that is not there.
 */
export async function checkActions(api: OpenWhiskApi, actions: string[]): Promise<void> {
  const missing: string[] = [];
  for (const action of new Set(actions)) {
    const name = action.split("/").map(encodeURIComponent).join("/");
    const a = await api.request("GET", api.path(`actions/${name}?code=false`), {
      signal: AbortSignal.timeout(30_000),
    });
    if (a.status === 200) continue;
    if (a.status !== 404) {
      throw new ConnectionError(
        `Pre-flight: cannot read action ${action} at ${api.conn.apihost}: ${api.errorText(a)}`,
      );
    }
    missing.push(action);
  }
  if (missing.length > 0) {
    throw new ConnectionError(
      `Pre-flight: ${missing.length === 1 ? "action" : "actions"} ${missing.join(", ")} ` +
        `not found at ${api.conn.apihost} (HTTP 404); deploy them first ` +
        "(deno task collect deploy): nothing was invoked",
    );
  }
}

/** An error's message, and its cause's where the message does not already hold it. */
export function describe(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  const text = e?.message ?? String(err);
  if (!e?.cause) return text;
  const cause = (e.cause as Error).message ?? String(e.cause);
  return text.includes(cause) ? text : `${text}: ${cause}`;
}

function tlsHint(err: unknown): string {
  const text = `${err} ${(err as Error)?.cause ?? ""}`;
  if (/CaUsedAsEndEntity/.test(text)) {
    return " (the host's certificate is a CA certificate, which Deno refuses as a server's own" +
      " even with --ca: use --insecure, as wsk -i)";
  }
  return /certificate|UnknownIssuer/i.test(text)
    ? " (a self-signed certificate? use --insecure, as wsk -i, or --ca FILE)"
    : "";
}
