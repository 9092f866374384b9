/**
 * A stand-in for Apache OpenWhisk's REST API (controller and invoker together), for trying
 * and testing the collectors where there is no OpenWhisk: basic auth, actions (create with
 * 409 unless `overwrite=true`, get, list, delete), `GET /api/v1`, invocations (blocking,
 * non-blocking, `result=true`, 202 past the blocking limit) on a container pool with cold and
 * warm starts and an idle timeout, activations by id and listed as OpenWhisk lists them
 * (since, upto, name, skip, limit up to 200, docs or summaries), 429 over
 * a number of activations in flight, 502 for a failing action, latencies, faults on demand
 * (dropped connections, slow responses, any status) and HTTPS.
 *
 * Built on `node:http`/`node:https` rather than `Deno.serve` because a dropped connection
 * needs the socket (`req.socket.destroy()`), which `Deno.serve` does not expose.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { systemClock } from "../../collectors/clock.ts";
import {
  controller,
  type ControllerOptions,
  type ControllerState,
  HttpError,
} from "./controller.ts";
import { activationId } from "./records.ts";

export { API_INFO } from "./controller.ts";

/** OpenWhisk's well-known key of the `guest` namespace in a local deployment. */
export const GUEST_AUTH =
  "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";

/** A fault served to the next matching invocations. */
export interface Fault {
  /** Only invocations of this action (default: any). */
  action?: string;
  /** `drop`: close the connection without an answer; `slow`: answer `delayMs` late;
   * `status`: answer with `status` and an OpenWhisk error body instead of running; `cut`: run
   * it, send the status line, the headers and half the body, then close the connection. */
  kind: "drop" | "slow" | "status" | "cut";
  delayMs?: number;
  status?: number;
  /** How many invocations it hits (default 1). */
  count?: number;
}

/** Options of {@link startStandin}: the controller's, and the server's. */
export interface StandinOptions extends Partial<ControllerOptions> {
  /** Port to listen on (default 0: an ephemeral port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  hostname?: string;
  /** PEM certificate and key: serve HTTPS (default: HTTP). */
  tls?: { cert: string; key: string };
  /** Faults to serve, in order. */
  faults?: Fault[];
  /** A path prefix the API is served under, as behind a gateway (default none). */
  prefix?: string;
}

/** A running stand-in. */
export interface Standin extends ControllerState {
  /** `http(s)://127.0.0.1:PORT`, the APIHOST. */
  apihost: string;
  /** The key it accepts. */
  auth: string;
  /** Faults still to serve; push more at any time. */
  faults: Fault[];
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/**
 * Starts a stand-in and resolves once it listens.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startStandin } from "./mod.ts";
 * const ow = await startStandin({ actions: ["hello"] });
 * const res = await fetch(`${ow.apihost}/api/v1/namespaces/_/actions/hello?blocking=true`, {
 *   method: "POST",
 *   headers: { authorization: `Basic ${btoa(ow.auth)}` },
 * });
 * const record = await res.json();
 * assert.equal(record.name, "hello");
 * await ow.close();
 * ```
 */
export async function startStandin(
  {
    port = 0,
    hostname = "127.0.0.1",
    tls,
    faults = [],
    auth = GUEST_AUTH,
    prefix = "",
    ...options
  }: StandinOptions = {},
): Promise<Standin> {
  const clock = options.clock ?? systemClock;
  const { state, route } = controller({ auth, clock, ...options });
  const pending = [...faults];

  function takeFault(action: string): Fault | undefined {
    const i = pending.findIndex((f) => f.action === undefined || f.action === action);
    if (i < 0) return undefined;
    const f = pending[i];
    f.count = (f.count ?? 1) - 1;
    if (f.count <= 0) pending.splice(i, 1);
    return f;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Uint8Array[] = [];
    for await (const c of req) chunks.push(c as Uint8Array);
    const url = new URL(req.url ?? "/", "http://standin");
    if (prefix) {
      if (!url.pathname.startsWith(`${prefix}/`)) {
        res.writeHead(404, { "content-type": "text/plain" });
        return res.end(`not under ${prefix}`);
      }
      url.pathname = url.pathname.slice(prefix.length);
    }
    const method = req.method ?? "GET";
    const send = (status: number, value: unknown, cut = false, invoked?: string) => {
      const text = JSON.stringify(value);
      const id = invoked ?? (value as Json)?.activationId;
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(text)),
        // As OpenWhisk names the activation of every invoke answer (200, 202, 502).
        ...(invoking && typeof id === "string" ? { "x-openwhisk-activation-id": id } : {}),
      });
      if (!cut) return res.end(text);
      res.write(text.slice(0, Math.floor(text.length / 2)), () => req.socket.destroy());
    };
    const invoking = method === "POST" && /\/actions\/./.test(url.pathname);
    const fault = invoking ? takeFault(url.pathname.split("/").pop()!) : undefined;
    if (fault?.kind === "drop") {
      state.counts.dropped++;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "slow") await clock.sleep(fault.delayMs ?? 1000);
    try {
      if (fault?.kind === "status") {
        throw new HttpError(
          fault.status ?? 503,
          "The server is currently unavailable (stand-in fault).",
        );
      }
      let body: Json = {};
      const text = new TextDecoder().decode(Buffer.concat(chunks));
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, "The request content was malformed.");
        }
      }
      const [status, value, invoked] = await route(method, url, body, req.headers.authorization);
      send(status, value, fault?.kind === "cut", invoked);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      send(err.status, { error: err.message, code: activationId().slice(0, 16) });
    }
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `stand-in: ${err}` }));
      }
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(port, hostname, resolve));
  const address = server.address() as AddressInfo;
  return {
    ...state,
    auth,
    faults: pending,
    apihost: `${tls ? "https" : "http"}://${hostname}:${address.port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
