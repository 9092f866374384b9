/**
 * Builders of raw logs in the thesis's formats, with answers known in advance, for tests that
 * feed ingest folders it has never seen.
 */

/** Options of one synthetic activation record. */
export interface RecordSpec {
  id: string;
  action?: string;
  wait: number;
  init?: number;
  start?: number;
  duration?: number;
  success?: boolean;
}

/** An activation record shaped like those of the published `1_` logs. */
export function record(
  { id, action = "hello", wait, init, start = 1692312439560, duration = 3, success = true }:
    RecordSpec,
): Record<string, unknown> {
  const annotations: { key: string; value: unknown }[] = [
    { key: "path", value: `guest/${action}` },
    { key: "waitTime", value: wait },
    { key: "kind", value: "go:1.20" },
    { key: "timeout", value: false },
    { key: "limits", value: { concurrency: 1, logs: 10, memory: 256, timeout: 60000 } },
  ];
  if (init !== undefined) annotations.push({ key: "initTime", value: init });
  return {
    activationId: id,
    annotations,
    duration,
    end: start + duration,
    logs: [],
    name: action,
    namespace: "guest",
    publish: false,
    response: success
      ? { result: { msg: "Hello, there!!" }, size: 25, status: "success", success: true }
      : { result: { error: "boom" }, size: 16, status: "action developer error", success: false },
    start,
    subject: "guest",
    version: "0.0.1",
  };
}

/** A `1_` log: one JSON array per run, each a list of level groups; optional trailer line. */
export function activationLog(
  runs: { level: number; records: RecordSpec[] }[][],
  trailer?: string,
): string {
  const arrays = runs.map((groups) =>
    JSON.stringify(groups.map((g) => ({
      no_concurrent_requests: g.level,
      responses: g.records.map(record),
    })))
  );
  return arrays.join("") + (trailer ? `\n${trailer}\n` : "");
}

/** A `2_`/`4_` level-lines log: `N: , v1, v2, ...` per level. */
export function levelLines(levels: Record<number, number[]>): string {
  return Object.entries(levels).map(([n, vs]) => `${n}: , ${vs.join(", ")}\n`).join("");
}

/** Writes files into a new temporary folder and returns its path. */
export async function rawDir(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-raw-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}
