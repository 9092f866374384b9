/**
 * A small HTTP/1.1 client for the collectors, over `node:net` sockets (collectors/_node_socket.ts:
 * served evenly when a thousand are busy, where `Deno.connect`'s were not), and `Deno.connect` with
 * `Deno.startTls` for HTTPS, with a keep-alive pool per host, that never sends a request twice by
 * itself.
 *
 * Why not fetch: on a reused keep-alive connection that the server drops, Deno's fetch silently
 * sends the request again, and for an invocation (a POST) that is a second activation, never
 * reported (RFC 9112 §9.3.1: a client must not retry a non-idempotent request automatically).
 * Here a request that fails on any connection, reused or new, rejects with an
 * {@link Http1Error} that says whether the connection was reused and how much of the answer
 * came; whoever called decides whether to send it again, visibly.
 *
 * The pool: idle connections are reused last in, first out, at most `maxIdlePerHost` of them,
 * each closed after `idleTimeoutMs` idle (2 s by default, below any server's keep-alive
 * time-out: nginx 75 s, akka-http 60 s), and watched while idle, so that one the server closes
 * is dropped before reuse; the race of a close with a request being sent remains, and is an
 * error. Open connections are not limited, but at most `maxConnecting` are being opened at
 * once per host (more at once overflow the server's accept backlog: SYNs dropped, retried
 * after a second); a request waiting to connect takes a connection released meanwhile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Http1Client } from "./http1.ts";
 * const server = Deno.serve({ port: 0, onListen() {} }, async (req) => new Response(await req.text()));
 * const client = new Http1Client();
 * const res = await client.request(`http://127.0.0.1:${server.addr.port}`, {
 *   method: "POST",
 *   path: "/echo",
 *   headers: { "content-type": "application/json" },
 *   body: '{"a":1}',
 * });
 * assert.deepEqual([res.status, new TextDecoder().decode(res.body)], [200, '{"a":1}']);
 * client.close();
 * await server.shutdown();
 * ```
 */
import { Http1Conn, type WireResponse } from "./_http1_conn.ts";
import { connectNode } from "./_node_socket.ts";
import type { Deadline } from "./deadlines.ts";

/** Options of {@link Http1Client}. */
export interface Http1ClientOptions {
  /** PEM certificates to trust for HTTPS, besides the system's (default none). */
  caCerts?: string[];
  /**
   * Idle connections kept per host (default 4,096: more than the capacity test's 2,000 in
   * flight, so that one level's connections carry the next level's invocations).
   */
  maxIdlePerHost?: number;
  /** Close a connection idle longer than this, ms (default 2,000). */
  idleTimeoutMs?: number;
  /** Connections being opened at once per host; more requests wait (default 32). */
  maxConnecting?: number;
}

/** One request. */
export interface Http1Request {
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  /** Header fields; Host, Content-Length and Connection are the client's own. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the request and closes its connection. */
  signal?: AbortSignal;
  /**
   * Aborts the request as `signal` does, when it expires (collectors/deadlines.ts): watched
   * without an AbortSignal unless the request has to wait for a connection.
   */
  deadline?: Deadline;
}

/** One answer. */
export type Http1Response = Omit<WireResponse, "reusable">;

/** A request that failed on its connection; never sent again by the client. */
export class Http1Error extends Error {
  override name = "Http1Error";
  /** Whether the connection had carried an earlier request. */
  readonly reused: boolean;
  /** Bytes of the answer received before the failure. */
  readonly received: number;
  /** Status and headers of the answer, where they came before the failure. */
  readonly head: { status: number; headers: Record<string, string> } | null;

  constructor(
    message: string,
    reused: boolean,
    received: number,
    options?: ErrorOptions & { head?: Http1Error["head"] },
  ) {
    super(message, options);
    this.reused = reused;
    this.received = received;
    this.head = options?.head ?? null;
  }
}

const encoder = new TextEncoder();
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
const PATH = /^\/[\x21-\x7e]*$/;
const OWN_HEADERS = new Set(["host", "content-length", "connection", "transfer-encoding"]);

/** An HTTP/1.1 client with a keep-alive pool per host (see the module's documentation). */
export class Http1Client {
  readonly #options: Required<Http1ClientOptions>;
  readonly #pools = new Map<string, HostPool>();
  /** TCP connections opened so far, all hosts. */
  opened = 0;

  constructor(
    { caCerts = [], maxIdlePerHost = 4096, idleTimeoutMs = 2000, maxConnecting = 32 }:
      Http1ClientOptions = {},
  ) {
    this.#options = { caCerts, maxIdlePerHost, idleTimeoutMs, maxConnecting };
  }

  /** Idle connections to `origin` now. */
  idle(origin: string): number {
    return this.#pools.get(origin)?.idle.length ?? 0;
  }

  /**
   * Opens connections to `origin` until `n` are idle (at most `maxConnecting` being opened at
   * once, and no more than `maxIdlePerHost` kept), so that `n` requests can then go out at once
   * without waiting for a connection: what a run that keeps `n` in flight needs before its clock
   * starts. Rejects with the first connection that cannot be opened.
   */
  prepare(origin: string, n: number): Promise<void> {
    return this.#pool(origin).prepare(n);
  }

  #pool(origin: string): HostPool {
    let pool = this.#pools.get(origin);
    if (!pool) this.#pools.set(origin, pool = new HostPool(this, origin, this.#options));
    return pool;
  }

  /** Sends one request to `origin` (`http://host:port` or `https://...`) and reads its answer. */
  async request(
    origin: string,
    { method, path, headers = {}, body, signal, deadline }: Http1Request,
  ): Promise<Http1Response> {
    signal?.throwIfAborted();
    if (deadline?.aborted) throw deadline.reason;
    const pool = this.#pool(origin);
    const bytes = pool.encode(method, path, headers, body);
    // An idle connection is taken without a promise; only a request that waits for one awaits.
    let c = pool.takeIdle(), reused = true;
    if (c === null) ({ c, reused } = await pool.acquire(waitSignal(signal, deadline)));
    const idleMs = reused ? Math.round(performance.now() - c.idleSince) : 0;
    const abort = () => c.close();
    signal?.addEventListener("abort", abort);
    deadline?.watch(abort);
    let sent = false;
    try {
      if (signal?.aborted) throw signal.reason;
      if (deadline?.aborted) throw deadline.reason;
      c.received = 0;
      c.head = null;
      await c.write(bytes);
      sent = true;
      const res = await c.readResponse(method);
      pool.release(c, res.reusable);
      return { status: res.status, headers: res.headers, body: res.body };
    } catch (err) {
      c.close();
      pool.release(c, false);
      if (signal?.aborted) throw signal.reason;
      if (deadline?.aborted) throw deadline.reason;
      const on = reused ? `a reused connection (idle ${idleMs} ms)` : "a new connection";
      const what = sent ? "" : "sending the request failed: ";
      throw new Http1Error(
        `${method} ${path} on ${on}: ${what}${message(err)}; not sent again`,
        reused,
        c.received,
        { cause: err, head: c.head },
      );
    } finally {
      signal?.removeEventListener("abort", abort);
      deadline?.watch(null);
    }
  }

  /** Closes every idle connection; connections in use close when their answer is read. */
  close(): void {
    for (const pool of this.#pools.values()) pool.close();
    this.#pools.clear();
  }
}

interface Waiter {
  resolve: (got: { c: Http1Conn; reused: boolean }) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Paths whose last request's bytes are kept (all of them dropped when there are more). */
const MAX_ENCODED = 256;

/** A request's bytes and what they were made of. */
interface Encoded {
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  bytes: Uint8Array;
}

/** The connections to one origin. */
class HostPool {
  /** Idle connections, oldest first: reuse pops the newest, expiry shifts the oldest. */
  readonly idle: Http1Conn[] = [];
  readonly #client: Http1Client;
  readonly #options: Required<Http1ClientOptions>;
  readonly #tls: boolean;
  readonly #hostname: string;
  readonly #port: number;
  readonly #hostHeader: string;
  /** Formatted header lines per headers object. */
  readonly #fields = new WeakMap<Record<string, string>, string>();
  /** The last request's bytes per path (see {@link encode}). */
  readonly #encoded = new Map<string, Encoded>();
  #connecting = 0;
  #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(client: Http1Client, origin: string, options: Required<Http1ClientOptions>) {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`${origin}: expected an http: or https: origin`);
    }
    this.#client = client;
    this.#options = options;
    this.#tls = url.protocol === "https:";
    this.#hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.#port = Number(url.port || (this.#tls ? 443 : 80));
    this.#hostHeader = url.host;
  }

  /**
   * The request's bytes, from the last request to the same path where method, headers object
   * and body (a string, or none) are the same (an experiment sends one request to each action
   * many times): no bytes encoded, nothing allocated. The bytes are only ever read (written to
   * a socket).
   */
  encode(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
  ): Uint8Array {
    const last = this.#encoded.get(path);
    if (
      last !== undefined && last.method === method && last.headers === headers &&
      last.body === body
    ) {
      return last.bytes;
    }
    const bytes = this.#encode(method, path, headers, body);
    if (body instanceof Uint8Array) return bytes; // its caller may change it: not kept
    if (this.#encoded.size >= MAX_ENCODED) this.#encoded.clear();
    this.#encoded.set(path, { method, headers, body, bytes });
    return bytes;
  }

  /**
   * The request's bytes, head and body in one buffer for one write. The header fields are
   * checked and formatted once per headers object (callers reuse theirs), the body encoded
   * straight into the buffer, behind room for the head.
   */
  #encode(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
  ): Uint8Array {
    if (!TOKEN.test(method)) throw new TypeError(`invalid method ${JSON.stringify(method)}`);
    if (!PATH.test(path)) throw new TypeError(`invalid request path ${JSON.stringify(path)}`);
    let fields = this.#fields.get(headers);
    if (fields === undefined) this.#fields.set(headers, fields = this.#format(headers));
    let head = `${method} ${path} HTTP/1.1\r\n${fields}`;
    if (body === undefined) {
      if (method === "POST" || method === "PUT" || method === "PATCH") {
        head += "content-length: 0\r\n";
      }
      head += "\r\n";
      const out = new Uint8Array(head.length);
      encoder.encodeInto(head, out); // ASCII only, checked above: one byte a character
      return out;
    }
    // The head is ASCII (checked) and its content-length line at most 36 bytes.
    const room = head.length + 36;
    const out = new Uint8Array(room + (typeof body === "string" ? body.length * 3 : body.length));
    let n = body.length;
    if (typeof body === "string") n = encoder.encodeInto(body, out.subarray(room)).written;
    else out.set(body, room);
    head += `content-length: ${n}\r\n\r\n`;
    encoder.encodeInto(head, out.subarray(room - head.length));
    return out.subarray(room - head.length, room + n);
  }

  /** The Host line and `headers` as header lines, checked. */
  #format(headers: Record<string, string>): string {
    let lines = `host: ${this.#hostHeader}\r\n`;
    for (const name in headers) {
      const value = headers[name];
      if (!TOKEN.test(name) || OWN_HEADERS.has(name.toLowerCase()) || !FIELD_VALUE.test(value)) {
        throw new TypeError(`invalid or reserved header field ${JSON.stringify(name)}`);
      }
      lines += `${name}: ${value}\r\n`;
    }
    return lines;
  }

  /** The newest idle connection that is still sound (closing stale ones on the way), else null. */
  takeIdle(): Http1Conn | null {
    if (this.idle.length === 0) return null;
    const now = performance.now();
    while (this.idle.length > 0) {
      const c = this.idle.pop()!;
      if (c.sound && now - c.idleSince < this.#options.idleTimeoutMs) {
        c.unpark();
        return c;
      }
      c.close();
    }
    return null;
  }

  /** An idle connection, else a new one (or one released while waiting to open one). */
  acquire(signal?: AbortSignal): Promise<{ c: Http1Conn; reused: boolean }> {
    const c = this.takeIdle();
    if (c !== null) return Promise.resolve({ c, reused: true });
    if (this.#connecting < this.#options.maxConnecting) {
      return this.#open(signal).then((c) => ({ c, reused: false }));
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
      this.#waiters.push(w);
    });
  }

  /** See {@link Http1Client.prepare}. */
  async prepare(n: number): Promise<void> {
    const want = Math.min(n, this.#options.maxIdlePerHost) - this.idle.length;
    let started = 0;
    const opener = async () => {
      while (started < want) {
        started++;
        this.release(await this.#open(), true);
      }
    };
    const openers = Math.min(want, this.#options.maxConnecting);
    await Promise.all(Array.from({ length: Math.max(0, openers) }, opener));
  }

  /** Back to the pool (or to a waiting request) if reusable, else closed. */
  release(c: Http1Conn, reusable: boolean): void {
    if (!reusable || this.#closed || !c.sound) {
      c.close();
      return;
    }
    const w = this.#take();
    if (w) {
      c.idleSince = performance.now();
      w.resolve({ c, reused: true });
      return;
    }
    const now = performance.now();
    c.park(now, () => this.#drop(c));
    this.idle.push(c);
    if (this.idle.length > this.#options.maxIdlePerHost) this.idle.shift()!.close();
    this.#sweepLater();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const c of this.idle.splice(0)) c.close();
  }

  async #open(signal?: AbortSignal): Promise<Http1Conn> {
    this.#connecting++;
    const where = `${this.#hostname}:${this.#port}`;
    let tcp: Deno.TcpConn | undefined;
    try {
      if (!this.#tls) {
        // Plain TCP through node:net, whose sockets are served evenly when many are busy.
        const conn = await connectNode(this.#hostname, this.#port, signal);
        this.#client.opened++;
        return new Http1Conn(conn);
      }
      tcp = await Deno.connect({ hostname: this.#hostname, port: this.#port, signal });
      tcp.setNoDelay(true);
      this.#client.opened++;
      const tls = await Deno.startTls(tcp, {
        hostname: this.#hostname,
        caCerts: this.#options.caCerts,
      });
      const c = new Http1Conn(tls);
      const abort = () => c.close();
      signal?.addEventListener("abort", abort);
      try {
        await tls.handshake();
      } catch (err) {
        c.close();
        throw signal?.aborted ? signal.reason : err;
      } finally {
        signal?.removeEventListener("abort", abort);
      }
      return c;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const step = tcp ? `TLS handshake with ${where} failed` : `cannot connect to ${where}`;
      throw new Http1Error(`${step}: ${message(err)}`, false, 0, { cause: err });
    } finally {
      this.#connecting--;
      this.#next();
    }
  }

  /** A connection slot is free: the next waiting request opens a connection. */
  #next(): void {
    if (this.#connecting >= this.#options.maxConnecting) return;
    const w = this.#take();
    if (w) this.#open(w.signal).then((c) => w.resolve({ c, reused: false }), w.reject);
  }

  #take(): Waiter | undefined {
    const w = this.#waiters.shift();
    if (w?.onAbort) w.signal!.removeEventListener("abort", w.onAbort);
    return w;
  }

  /** An idle connection closed by the server (or written to): out of the pool. */
  #drop(c: Http1Conn): void {
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    c.close();
  }

  #sweepLater(): void {
    if (this.#timer !== undefined || this.idle.length === 0) return;
    const due = this.idle[0].idleSince + this.#options.idleTimeoutMs - performance.now();
    const timer = this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const limit = performance.now() - this.#options.idleTimeoutMs;
      while (this.idle.length > 0 && this.idle[0].idleSince <= limit) this.idle.shift()!.close();
      this.#sweepLater();
    }, Math.max(0, due) + 1);
    Deno.unrefTimer(timer);
  }
}

/** What aborts a request's wait for a connection: its signal, its deadline, or both. */
function waitSignal(signal?: AbortSignal, deadline?: Deadline): AbortSignal | undefined {
  if (deadline === undefined) return signal;
  return signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
