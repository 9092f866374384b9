/**
 * A minimal HTTP/1.1 GET over a unix socket, for the Docker Engine API (Deno's fetch cannot
 * reach a unix socket): one request per connection (`Connection: close`), the body read to
 * the end, chunked transfer coding undone.
 */

const CRLF = new Uint8Array([13, 10]);

function indexOf(bytes: Uint8Array, pattern: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= bytes.length - pattern.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Undoes chunked transfer coding (RFC 9112 7.1): `<hex size>\r\n<data>\r\n` ... `0\r\n\r\n`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dechunk } from "./unix_http.ts";
 * const body = new TextEncoder().encode("3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n");
 * assert.equal(new TextDecoder().decode(dechunk(body, "example")), "abcde");
 * ```
 */
export function dechunk(body: Uint8Array, where: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const eol = indexOf(body, CRLF, at);
    if (eol < 0) throw new SyntaxError(`${where}: chunk size line at byte ${at} has no end`);
    const sizeText = new TextDecoder().decode(body.subarray(at, eol)).split(";")[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) {
      throw new SyntaxError(
        `${where}: chunk size ${JSON.stringify(sizeText)} at byte ${at} is not hex`,
      );
    }
    const size = parseInt(sizeText, 16);
    if (size === 0) break;
    const start = eol + 2;
    if (start + size > body.length) {
      throw new SyntaxError(`${where}: chunk at byte ${at} is cut short (${size} bytes announced)`);
    }
    parts.push(body.subarray(start, start + size));
    at = start + size + 2;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** An HTTP answer: status code and body text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** GETs `path` from the HTTP server listening on the unix socket `socket`. */
export async function unixGet(socket: string, path: string): Promise<HttpAnswer> {
  const where = `GET ${path} on unix socket ${socket}`;
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
  } catch (cause) {
    throw new Error(`Cannot connect to ${socket} (is the Docker engine running?): ${cause}`, {
      cause,
    });
  }
  const chunks: Uint8Array[] = [];
  try {
    const request = `GET ${path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(request));
    for await (const chunk of conn.readable) chunks.push(chunk);
  } finally {
    try {
      conn.close();
    } catch {
      // readable's end already closed it
    }
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  const end = indexOf(all, new TextEncoder().encode("\r\n\r\n"));
  if (end < 0) throw new SyntaxError(`${where}: answer has no end of headers`);
  const head = new TextDecoder().decode(all.subarray(0, end)).split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!status) throw new SyntaxError(`${where}: status line is ${JSON.stringify(head[0])}`);
  const chunked = head.some((h) => /^transfer-encoding:\s*chunked\s*$/i.test(h));
  const raw = all.subarray(end + 4);
  const body = new TextDecoder().decode(chunked ? dechunk(raw, where) : raw);
  return { status: Number(status[1]), body };
}

/** GETs `path` and parses its JSON body; a status other than 200 is an error with the body. */
export async function unixGetJson(socket: string, path: string): Promise<unknown> {
  const { status, body } = await unixGet(socket, path);
  if (status !== 200) {
    throw new Error(`GET ${path} on ${socket}: HTTP ${status}: ${body.trim().slice(0, 200)}`);
  }
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new SyntaxError(`GET ${path} on ${socket}: body is not JSON: ${body.slice(0, 80)}`, {
      cause,
    });
  }
}
