/**
 * The jq + awk baseline of the ingest benchmark: what a researcher would write with the
 * thesis's own tools. jq flattens every activation record of each `1_` log into one TSV row of
 * the dataset's columns (the record itself as compact JSON, last), and awk reads those rows
 * and writes the per-level statistics: the same files read, the same rows written.
 */
import { classify } from "../ingest/file_kind.ts";

/** jq: one TSV row per record, columns in the order of ACTIVATION_COLUMNS. */
export const JQ_PROGRAM = `foreach inputs as $a (0; . + 1; . as $run | $a[]
  | .no_concurrent_requests as $level | .responses[]
  | (reduce .annotations[] as $x ({}; if has($x.key) then . else .[$x.key] = $x.value end)) as $an
  | [$experiment, $workload, $runtime, $run, $level, .activationId, .name, $an.kind,
     .start, .end, .duration, $an.waitTime, $an.initTime, .response.status, .response.success,
     (if .response.success == false then (.response.result
        | if type == "object" and has("error") then .error else . end
        | if type == "string" then . else tojson end) else null end),
     "record", null, tojson]
  | @tsv)`;

/**
 * awk: per-level statistics of the rows jq wrote (level, records, mean and sample SD of
 * waitTime, cold starts, mean and sample SD of waitTime + initTime), one TSV line per level.
 */
export const AWK_PROGRAM = `BEGIN { FS = "\\t"; OFS = "\\t" }
{ l = $5; n[l]++; w = $12; sw[l] += w; ssw[l] += w * w
  if ($13 != "") { c = w + $13; nc[l]++; sc[l] += c; ssc[l] += c * c } }
END { for (l in n) {
  mw = sw[l] / n[l]; sdw = n[l] > 1 ? sqrt((ssw[l] - n[l] * mw * mw) / (n[l] - 1)) : 0
  mc = nc[l] ? sc[l] / nc[l] : 0
  sdc = nc[l] > 1 ? sqrt((ssc[l] - nc[l] * mc * mc) / (nc[l] - 1)) : 0
  printf "%d\\t%d\\t%.10g\\t%.10g\\t%d\\t%.10g\\t%.10g\\n", l, n[l], mw, sdw, nc[l], mc, sdc } }`;

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * A `sh -c` script that runs jq over `files` (paths of `1_` logs, in order) into `rowsTsv`
 * and awk over the rows into `statsTsv`, as a pipeline (jq | tee rows | awk).
 */
export function jqAwkScript(files: string[], rowsTsv: string, statsTsv: string): string {
  const jqs = files.map((path) => {
    const name = path.split("/").pop()!;
    const role = classify(name);
    if (!role || role.kind !== "activations") throw new Error(`bench: not a 1_ log: ${path}`);
    const args = [
      ["experiment", role.experiment],
      ["workload", role.workload],
      ["runtime", role.runtime],
    ].map(([k, v]) => `--arg ${k} ${shellQuote(v)}`).join(" ");
    return `jq -rn ${args} ${shellQuote(JQ_PROGRAM)} ${shellQuote(path)}`;
  });
  return `set -e -o pipefail 2>/dev/null || set -e; { ${jqs.join("; ")}; } | tee ${
    shellQuote(rowsTsv)
  } | awk ${shellQuote(AWK_PROGRAM)} > ${shellQuote(statsTsv)}`;
}
