/**
 * The collector checks the open-file limit against one connection per invocation in flight
 * (collectors/open_files.ts), relying on Deno raising its soft limit to the hard one at start.
 */
import assert from "node:assert/strict";
import { openFileLimits, openFilesWarning, parseOpenFileLimits } from "../collectors/open_files.ts";

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

Deno.test("parseOpenFileLimits() reads the Max open files line of /proc/<pid>/limits", () => {
  assert.deepEqual(parseOpenFileLimits(PROC_LIMITS), { soft: 1024, hard: 524288 });
  assert.deepEqual(
    parseOpenFileLimits(
      "Max open files            4096                 unlimited            files",
    ),
    { soft: 4096, hard: Infinity },
  );
  assert.equal(parseOpenFileLimits("Max cpu time  unlimited  unlimited  seconds"), null);
});

Deno.test("openFilesWarning(): silent with room, else says where connections will fail", () => {
  assert.equal(openFilesWarning(2000, { soft: 4096, hard: 4096 }), null);
  assert.equal(openFilesWarning(2000, { soft: 2064, hard: 2064 }), null);
  assert.equal(openFilesWarning(2000, null), null, "unknown limits: nothing to say");
  const w = openFilesWarning(2000, { soft: 1024, hard: 1024 })!;
  assert.match(w, /^the open-file limit is 1024 \(hard limit 1024\), and 2000 invocations/);
  assert.match(w, /above about 960 in flight, connections will fail with "Too many open files"/);
  assert.match(w, /Raise the hard limit \(ulimit -Hn as root/);
});

Deno.test("Deno starts with its soft open-file limit raised to the hard one", async () => {
  const now = await openFileLimits();
  if (now === null || now.hard === Infinity || now.hard <= 256) return; // not Linux, or no room
  const module = new URL("../collectors/open_files.ts", import.meta.url).href;
  const script = `import { openFileLimits } from ${JSON.stringify(module)};
    console.log(JSON.stringify(await openFileLimits()));`;
  const out = await new Deno.Command("sh", {
    args: ["-c", `ulimit -Sn 256 && exec "$0" eval "$1"`, Deno.execPath(), script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
    soft: now.hard,
    hard: now.hard,
  });
});
