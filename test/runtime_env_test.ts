/**
 * `deno task collect` runs the collectors with their runtime settings (collectors/runtime_env.ts),
 * which Deno reads only as a process starts.
 */
import assert from "node:assert/strict";
import { COLLECTOR_ENV } from "../collectors/runtime_env.ts";

Deno.test("deno task collect sets every variable of COLLECTOR_ENV", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  );
  const command: string = config.tasks.collect.command;
  const assignments = Object.entries(COLLECTOR_ENV).map(([k, v]) => `${k}=${v}`);
  assert.ok(assignments.length > 0);
  assert.equal(command, `${assignments.join(" ")} deno run -A collectors/cli.ts`);
});
