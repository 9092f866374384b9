/**
 * The executor durations (Tables 18, 19; Figures 33, 34): each run and the mean per action and
 * phase, in microseconds.
 */
import pl from "nodejs-polars";

/** The cold-start phases (`/init`: decode + unzip, runtime initialisation), Table 18. */
export const INIT_PHASES = ["overhead", "init"];
/** The warm-start phases (`/run`: provide and link WASI, instantiate the module), Table 19. */
export const RUN_PHASES = ["wasi", "module"];

/**
 * One row per runtime, action and phase of `phases`: `n`, `mean` (µs) and one column
 * `run_<k>` per run, like the thesis's tables.
 */
export function durationTable(timings: pl.DataFrame, phases: string[]): pl.DataFrame {
  const keys = ["runtime", "action", "phase"];
  const rows = timings.filter(pl.col("phase").isIn(phases));
  const stats = rows.groupBy(keys).agg(
    pl.col("us").count().cast(pl.Int64).alias("n"),
    pl.col("us").mean().alias("mean"),
  );
  if (rows.height === 0) return stats;
  const wide = rows
    .withColumns(pl.concatString([pl.lit("run_"), pl.col("run").cast(pl.Utf8)], "").alias("k"))
    .pivot("us", { index: keys, on: "k", aggregateFunc: "first" });
  const runs = Array.from(
    { length: rows.getColumn("run").max() as number },
    (_, i) => `run_${i + 1}`,
  )
    .filter((c) => wide.columns.includes(c));
  const phaseOrder = pl.DataFrame({ phase: phases, phase_order: phases.map((_, i) => i) });
  return stats
    .join(wide.select(...keys, ...runs), { on: keys })
    .join(phaseOrder, { on: "phase" })
    .sort(["runtime", "action", "phase_order"])
    .drop("phase_order");
}
