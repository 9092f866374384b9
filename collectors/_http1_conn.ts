/**
 * One HTTP/1.1 connection of collectors/http1.ts: writes a request's bytes and reads its answer
 * (status line, headers, then the body by Content-Length, chunked, or up to the close). While
 * the connection is idle one read stays outstanding, so a connection that the server closes (or
 * writes to unasked) is noticed before it could be reused.
 */

import type { ByteConn } from "./_node_socket.ts";

const CR = 13, LF = 10;
/** Longest response head, and longest chunk-size or trailer line. */
const MAX_HEAD = 64 * 1024, MAX_LINE = 8 * 1024;
/** Heads are ASCII; UTF-8 decoding is Deno's fast path (latin1 takes a slower op per call),
 * and a stray non-ASCII byte in a header value only becomes U+FFFD. */
const ascii = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** One answer read off a connection. */
export interface WireResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** False where the connection cannot carry another request (close, read to close ...). */
  reusable: boolean;
}

/** An answer's status line and header fields. */
interface Head {
  status: number;
  http10: boolean;
  headers: Record<string, string>;
}

/** A connection and its read buffer. */
export class Http1Conn {
  readonly conn: ByteConn;
  /** When it was last released to the pool (performance.now() ms). */
  idleSince = 0;
  /** Called, while idle, when the outstanding read completes: the server closed or wrote. */
  onIdleEvent: (() => void) | null = null;
  /** Bytes of the current answer received so far. */
  received = 0;
  /** Status and headers of the current answer once read, so a body cut short keeps them. */
  head: { status: number; headers: Record<string, string> } | null = null;
  closed = false;
  #buf = new Uint8Array(16 * 1024);
  #start = 0;
  #end = 0;
  #pending: Promise<void> | null = null;
  #eof = false;
  #error: unknown = null;

  constructor(conn: ByteConn) {
    this.conn = conn;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  /** Goes idle: keeps one read outstanding that does not hold the process open. */
  park(now: number, onIdleEvent: () => void): void {
    this.idleSince = now;
    this.onIdleEvent = onIdleEvent;
    this.#read();
    this.conn.unref();
  }

  /** Leaves idle for a request. */
  unpark(): void {
    this.onIdleEvent = null;
    this.conn.ref();
  }

  /** True when the connection can still carry a request: open, no EOF, no bytes unasked. */
  get sound(): boolean {
    return !this.closed && !this.#eof && this.#error === null && this.#start === this.#end;
  }

  /** Writes all of `bytes`. */
  async write(bytes: Uint8Array): Promise<void> {
    let off = await this.conn.write(bytes);
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  /**
   * Reads one answer to a request with `method` (1xx interim answers skipped). What is already
   * in the buffer is parsed without awaiting: an answer that came in one read costs no promise
   * beyond this one.
   */
  async readResponse(method: string): Promise<WireResponse> {
    let head = this.#takeHead(0) ?? await this.#readHead();
    while (head.status < 200) {
      if (head.status === 101) throw new Error("the server switched protocols (101), unasked");
      head = this.#takeHead(0) ?? await this.#readHead();
    }
    const { status, http10, headers } = head;
    this.head = { status, headers };
    const connection = headers.connection;
    let reusable = !http10 &&
      (connection === undefined || !/(?:^|,)\s*close\s*(?:,|$)/i.test(connection));
    let body: Uint8Array = EMPTY;
    const te = headers["transfer-encoding"], cl = headers["content-length"];
    if (method === "HEAD" || status === 204 || status === 304) {
      // no body, whatever the headers say
    } else if (te !== undefined) {
      if (/(?:^|,)\s*chunked\s*$/i.test(te)) {
        body = await this.#readChunked();
        if (cl !== undefined) reusable = false; // both: suspicious framing (RFC 9112 §6.3)
      } else {
        body = await this.#readToClose();
        reusable = false;
      }
    } else if (cl !== undefined) {
      const n = contentLength(cl);
      body = this.#end - this.#start >= n ? this.#take(n) : await this.#readFixed(n);
    } else {
      body = await this.#readToClose();
      reusable = false;
    }
    if (this.#start !== this.#end) reusable = false; // bytes nobody asked for
    return { status, headers, body, reusable };
  }

  /** Starts one read into the buffer's free space, unless one is outstanding. */
  #read(): Promise<void> {
    if (this.#pending) return this.#pending;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    else if (this.#end === this.#buf.length) {
      if (this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      } else {
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
    }
    this.#pending = this.conn.read(this.#buf.subarray(this.#end)).then((n) => {
      this.#pending = null;
      if (n === null) this.#eof = true;
      else {
        this.#end += n;
        this.received += n;
      }
      this.onIdleEvent?.();
    }, (err) => {
      this.#pending = null;
      this.#error = err;
      this.onIdleEvent?.();
    });
    return this.#pending;
  }

  /** Reads more; false at the end of the stream, throws the read's error. */
  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    await this.#read();
    if (this.#error !== null) throw this.#error;
    return !this.#eof;
  }

  #closedEarly(what: string): Error {
    return new Error(
      this.received === 0
        ? "the server closed the connection before any byte of the answer"
        : `the server closed the connection ${what}, after ${this.received} bytes of the answer`,
    );
  }

  /** The head, if the buffer holds all of it past `scanned` bytes known to hold no end; else null. */
  #takeHead(scanned: number): Head | null {
    const end = headEnd(this.#buf, this.#start + scanned, this.#end);
    if (end < 0) return null;
    const text = ascii.decode(this.#buf.subarray(this.#start, end));
    this.#start = end;
    return parseHead(text);
  }

  async #readHead(): Promise<Head> {
    while (true) {
      // Bytes after #start known to hold no terminator.
      const scanned = Math.max(0, this.#end - this.#start - 3);
      if (scanned > MAX_HEAD) throw new Error(`the answer's head is longer than ${MAX_HEAD} bytes`);
      if (!await this.#fill()) throw this.#closedEarly("in the answer's head");
      const head = this.#takeHead(scanned);
      if (head !== null) return head;
    }
  }

  /** The next `n` bytes, all in the buffer, as a copy. */
  #take(n: number): Uint8Array {
    const body = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return body;
  }

  async #readFixed(n: number): Promise<Uint8Array> {
    const body = new Uint8Array(n);
    let off = 0;
    while (true) {
      const take = Math.min(n - off, this.#end - this.#start);
      body.set(this.#buf.subarray(this.#start, this.#start + take), off);
      this.#start += take;
      off += take;
      if (off === n) return body;
      if (!await this.#fill()) throw this.#closedEarly(`in the body (${off} of ${n} bytes)`);
    }
  }

  /** One line without its CRLF (or bare LF). */
  async #readLine(what: string): Promise<string> {
    let scanned = 0;
    while (true) {
      const i = this.#buf.subarray(this.#start + scanned, this.#end).indexOf(LF);
      if (i >= 0) {
        const stop = this.#start + scanned + i;
        const cut = stop > this.#start && this.#buf[stop - 1] === CR ? stop - 1 : stop;
        const line = ascii.decode(this.#buf.subarray(this.#start, cut));
        this.#start = stop + 1;
        return line;
      }
      scanned = this.#end - this.#start;
      if (scanned > MAX_LINE) throw new Error(`a ${what} is longer than ${MAX_LINE} bytes`);
      if (!await this.#fill()) throw this.#closedEarly(`in a ${what}`);
    }
  }

  async #readChunked(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (true) {
      const line = await this.#readLine("chunk-size line");
      const m = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
      if (!m) throw new Error(`malformed chunk-size line: ${JSON.stringify(line.slice(0, 80))}`);
      const size = parseInt(m[1], 16);
      if (size === 0) break;
      parts.push(await this.#readFixed(size));
      total += size;
      if (await this.#readLine("chunk's end") !== "") throw new Error("a chunk overran its size");
    }
    while (await this.#readLine("trailer line") !== ""); // trailers: read, not kept
    return concat(parts, total);
  }

  async #readToClose(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    do {
      parts.push(this.#buf.slice(this.#start, this.#end));
      total += this.#end - this.#start;
      this.#start = this.#end;
    } while (await this.#fill());
    return concat(parts, total);
  }
}

/**
 * The index just past the blank line that ends a head (CRLFCRLF or bare LFs), else -1. Searched
 * in place (indexOf from an offset, no view per line); a line feed found at or past `to` is a
 * stale byte of an earlier read, and ends the search.
 */
function headEnd(buf: Uint8Array, from: number, to: number): number {
  for (let at = buf.indexOf(LF, from); at >= 0 && at < to; at = buf.indexOf(LF, at + 1)) {
    if (buf[at + 1] === LF && at + 1 < to) return at + 2;
    if (buf[at + 1] === CR && buf[at + 2] === LF && at + 2 < to) return at + 3;
  }
  return -1;
}

/** Status line and header fields of a head's text (lines end in CRLF or LF). */
function parseHead(text: string): Head {
  let eol = text.indexOf("\n");
  const first = text.slice(0, eol > 0 && text[eol - 1] === "\r" ? eol - 1 : eol);
  // "HTTP/1.1 200 OK": version at 5..7, status at 9..11, then a space or the end.
  if (
    !first.startsWith("HTTP/1.") || (first[7] !== "0" && first[7] !== "1") || first[8] !== " " ||
    !/^\d{3}$/.test(first.slice(9, 12)) || (first.length > 12 && first[12] !== " ")
  ) {
    throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(first.slice(0, 80))}`);
  }
  const headers: Record<string, string> = {};
  let last = "";
  for (let at = eol + 1; at < text.length; at = eol + 1) {
    eol = text.indexOf("\n", at);
    if (eol < 0) eol = text.length;
    const stop = eol > at && text[eol - 1] === "\r" ? eol - 1 : eol;
    if (stop === at) continue;
    const c = text[at];
    if (c === " " || c === "\t") { // obsolete line folding: one space
      if (last) headers[last] += " " + text.slice(at, stop).trim();
      continue;
    }
    const colon = text.indexOf(":", at);
    if (colon <= at || colon > stop) {
      throw new Error(
        `malformed header line: ${JSON.stringify(text.slice(at, stop).slice(0, 80))}`,
      );
    }
    last = text.slice(at, colon).trim().toLowerCase();
    const value = text.slice(colon + 1, stop).trim();
    headers[last] = last in headers ? `${headers[last]}, ${value}` : value;
  }
  return { status: Number(first.slice(9, 12)), http10: first[7] === "0", headers };
}

/** A Content-Length value (a repeated identical value allowed, RFC 9110 §8.6). */
function contentLength(value: string): number {
  if (/^\d{1,15}$/.test(value)) return Number(value); // one value: most answers
  const values = new Set(value.split(",").map((v) => v.trim()));
  const [v] = values;
  if (values.size !== 1 || !/^\d{1,15}$/.test(v)) {
    throw new Error(`invalid Content-Length: ${JSON.stringify(value.slice(0, 40))}`);
  }
  return Number(v);
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
