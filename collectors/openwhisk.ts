/**
 * The few calls of OpenWhisk's REST API that the collectors make, over `fetch` with basic
 * auth. Every message it builds goes through {@link redact}, so the key never leaves it.
 *
 * HTTPS with a self-signed certificate: `--ca FILE` trusts that certificate through
 * `Deno.createHttpClient({ caCerts })` (certificates stay verified); `--insecure` (as `wsk -i`)
 * cannot be done per request in Deno, so the CLI relaunches itself with
 * `--unsafely-ignore-certificate-errors=<API host>`, scoped to that one host.
 */
import { type Connection, redact } from "./config.ts";

type Json = Record<string, unknown>;

/** One HTTP answer: its status and its body parsed as JSON (or `text` when it is not). */
export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/** Options of {@link OpenWhiskApi}. */
export interface ApiOptions {
  /** Namespace in paths (default `_`, the key's own). */
  namespace?: string;
  /** The fetch to use (default the global one; tests inject one). */
  fetch?: typeof fetch;
}

/** The key was missing or rejected, or the API host could not be reached. */
export class ConnectionError extends Error {}

/** A client of one OpenWhisk API host. */
export class OpenWhiskApi {
  readonly conn: Connection;
  readonly #namespace: string;
  readonly #fetch: typeof fetch;
  #client?: Deno.HttpClient;

  constructor(conn: Connection, { namespace = "_", fetch: f = globalThis.fetch }: ApiOptions = {}) {
    this.conn = conn;
    this.#namespace = namespace;
    this.#fetch = f;
  }

  /**
   * Makes the HTTP client: no idle connections kept (`poolMaxIdlePerHost: 0`), because on a
   * reused connection that the server drops, Deno's fetch silently sends the POST again (a
   * second invocation, and the dropped one never reported; shown by the stand-in's drop
   * fault); and the `--ca` certificate, if any. Called by the first request if not before.
   */
  async open(): Promise<void> {
    if (this.#client) return;
    const caCerts = this.conn.caFile ? [await Deno.readTextFile(this.conn.caFile)] : undefined;
    this.#client = Deno.createHttpClient({ poolMaxIdlePerHost: 0, caCerts });
  }

  /** Releases the HTTP client of `--ca`. */
  close(): void {
    this.#client?.close();
    this.#client = undefined;
  }

  /** `text` with the key removed. */
  redact(text: string): string {
    return redact(text, this.conn.auth);
  }

  /** A path under the namespace, e.g. `actions/hello1`. */
  path(rest: string): string {
    return `/api/v1/namespaces/${this.#namespace}/${rest}`;
  }

  /** Sends one request; network errors reject (as fetch does), any status resolves. */
  async request(
    method: string,
    path: string,
    { body, signal, auth = true }: { body?: unknown; signal?: AbortSignal; auth?: boolean } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (auth) headers.authorization = `Basic ${btoa(this.conn.auth)}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const init: RequestInit & { client?: Deno.HttpClient } = {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    };
    if (this.#fetch === globalThis.fetch) {
      await this.open();
      init.client = this.#client;
    }
    const res = await this.#fetch(this.conn.apihost + path, init);
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
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
      const cause = (err as Error)?.cause ? `: ${(err as Error).cause}` : "";
      throw new ConnectionError(
        this.redact(`Cannot reach ${where}: ${err}${cause}` + tlsHint(err)),
        {
          cause: err,
        },
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
