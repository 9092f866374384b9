/**
 * A no-op server of OpenWhisk's blocking invoke endpoint, for benchmark 4: it answers every
 * `POST .../actions/<name>?blocking=true` at once with 200 and one fixed activation record,
 * so what is measured is the client (the collectors' invoke engine, or wrk), not an action.
 * Run as its own process, so the client under test has its event loop to itself:
 *
 * `deno run -A bench/noop_invoke_server.ts` prints `listening <port>` and serves until killed.
 */

/** The record served: the shape of a warm activation of the published logs. */
export const NOOP_RECORD = JSON.stringify({
  activationId: "00000000000000000000000000000000",
  annotations: [
    { key: "path", value: "guest/noop" },
    { key: "waitTime", value: 1 },
    { key: "kind", value: "go:1.20" },
    { key: "timeout", value: false },
    { key: "limits", value: { concurrency: 1, logs: 10, memory: 256, timeout: 60000 } },
  ],
  duration: 1,
  end: 1692312439561,
  logs: [],
  name: "noop",
  namespace: "guest",
  publish: false,
  response: { result: {}, size: 2, status: "success", success: true },
  start: 1692312439560,
  subject: "guest",
  version: "0.0.1",
});

/** Serves on 127.0.0.1:`port` (0: any free port); resolves with the server. */
export function serveNoop(port = 0): Deno.HttpServer<Deno.NetAddr> {
  const body = new TextEncoder().encode(NOOP_RECORD);
  return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    if (req.method !== "POST" || !new URL(req.url).pathname.includes("/actions/")) {
      return new Response('{"error":"not found"}', { status: 404 });
    }
    await req.body?.cancel();
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
}

if (import.meta.main) {
  const server = serveNoop(Number(Deno.args[0] ?? 0));
  console.log(`listening ${server.addr.port}`);
}
