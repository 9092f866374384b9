const DIR = Deno.args[0] ?? "/tmp/prof";
for (const f of [...Deno.readDirSync(DIR)].map((e) => e.name)) {
const p = JSON.parse(Deno.readTextFileSync(DIR + "/" + f));
const self = new Map<string, number>();
const byId = new Map<number, any>();
for (const n of p.nodes) byId.set(n.id, n);
const dt = p.timeDeltas; const counts = new Map<number, number>();
p.samples.forEach((s: number, i: number) => counts.set(s, (counts.get(s) ?? 0) + (dt[i] ?? 0)));
let total = 0;
for (const [id, us] of counts) { total += us; const n = byId.get(id); const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + us); }
console.log(f, "total ms", (total/1000).toFixed(0));
[...self].sort((a, b) => b[1] - a[1]).slice(0, 22).forEach(([k, us]) => console.log((us / 1000).toFixed(0).padStart(6), k));
}
