/**
 * A plain TCP connection of collectors/http1.ts over `node:net`, read and written like a
 * `Deno.Conn`. Why not `Deno.connect`: with a thousand connections busy in one process, the
 * answers read through `Deno.Conn.read` were served very unevenly (most within milliseconds,
 * some after seconds: at 1,024 in flight with 40 µs of work an answer, p99 2.2-4.9 s against
 * 150-170 ms through `node:net`, at the same rate; BENCHMARKS.md, "seventh session"). A socket
 * here hands its bytes over as they come, in arrival order, and the reader takes them from a
 * queue. TLS connections stay on `Deno.startTls`.
 */
import net from "node:net";

/** What {@linkcode Http1Conn} needs of a connection: `Deno.Conn`'s read, write, close and ref. */
export interface ByteConn {
  read(buf: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  ref(): void;
  unref(): void;
}

/** A connected `node:net` socket as a {@linkcode ByteConn}. */
export class NodeSocketConn implements ByteConn {
  readonly #socket: net.Socket;
  /** Bytes received and not yet read, oldest first; the first may be partly read. */
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: Error | null = null;
  /** The read waiting for bytes, an end or an error. */
  #wake: (() => void) | null = null;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#wake?.();
    });
    socket.on("end", () => this.#end());
    socket.on("close", () => this.#end());
    socket.on("error", (err: Error) => {
      this.#error ??= err;
      this.#wake?.();
    });
  }

  #end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** Reads into `buf` what has come (at least one byte), or null at the end of the stream. */
  async read(buf: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error !== null) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
    const chunk = this.#chunks[0];
    const n = Math.min(chunk.length, buf.length);
    buf.set(chunk.subarray(0, n));
    if (n === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(n);
    return n;
  }

  /** Writes all of `bytes`; resolves once the socket has taken them. */
  write(bytes: Uint8Array): Promise<number> {
    if (this.#error !== null) return Promise.reject(this.#error);
    return new Promise((resolve, reject) =>
      this.#socket.write(bytes, (err?: Error | null) => err ? reject(err) : resolve(bytes.length))
    );
  }

  close(): void {
    this.#socket.destroy();
    this.#end();
  }

  ref(): void {
    this.#socket.ref();
  }

  unref(): void {
    this.#socket.unref();
  }
}

/** Opens a TCP connection to `hostname`:`port` (Nagle off); rejects with the abort's reason. */
export function connectNode(
  hostname: string,
  port: number,
  signal?: AbortSignal,
): Promise<NodeSocketConn> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const socket = net.connect({ host: hostname, port });
    const abort = () => {
      socket.destroy();
      reject(signal!.reason);
    };
    const failed = (err: Error) => {
      signal?.removeEventListener("abort", abort);
      socket.destroy();
      reject(err);
    };
    signal?.addEventListener("abort", abort, { once: true });
    socket.once("error", failed);
    socket.once("connect", () => {
      signal?.removeEventListener("abort", abort);
      socket.off("error", failed);
      socket.setNoDelay(true);
      resolve(new NodeSocketConn(socket));
    });
  });
}
