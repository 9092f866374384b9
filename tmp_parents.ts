const dir = Deno.args[1] ?? "/tmp/prof";
const f = [...Deno.readDirSync(dir)].map((e) => e.name).find((n) => !n.includes("worker"))!;
const p = JSON.parse(Deno.readTextFileSync(`${dir}/${f}`));
const byId = new Map<number, any>(); for (const n of p.nodes) byId.set(n.id, n);
const parent = new Map<number, number>(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>(); p.samples.forEach((s: number, i: number) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
const target = Deno.args[0];
const agg = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id); if (n.callFrame.functionName !== target) continue;
  // walk up to first frame in our code
  let cur = parent.get(id); const chain: string[] = [];
  while (cur !== undefined && chain.length < 6) { const c = byId.get(cur).callFrame; if (c.url.includes("/work/main/") && !c.url.includes("node_modules")) chain.push(`${c.functionName}@${c.url.split("/").slice(-2).join("/")}:${c.lineNumber}`); cur = parent.get(cur); }
  const k = chain.slice(0, 3).join(" <- "); agg.set(k, (agg.get(k) ?? 0) + us);
}
[...agg].sort((a, b) => b[1] - a[1]).slice(0, 10).forEach(([k, us]) => console.log((us / 1000).toFixed(0).padStart(7), k));
