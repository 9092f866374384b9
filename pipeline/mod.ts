/**
 * whiskbench's pipeline: pure polars transforms from a dataset to the thesis's tables. Import
 * from here in notebooks and scripts.
 */
export * from "./stats.ts";
export * from "./latency_rows.ts";
export * from "./latency_tables.ts";
export * from "./comparison_table.ts";
export * from "./levels.ts";
export * from "./capacity_table.ts";
export * from "./collections_table.ts";
export * from "./durations_table.ts";
export * from "./actions_table.ts";
export * from "./tables.ts";
export * from "./markdown.ts";
export * from "./box_stats.ts";
export * from "./figures.ts";
export * from "./paper_figure.ts";
export * from "./latex.ts";
export * from "./compare_stats.ts";
export * from "./latency_cells.ts";
export * from "./compare.ts";
export * from "./compare_findings.ts";
// The thesis's facts (runtimes, workloads, mixed loads, table and figure numbers).
export * from "./thesis_facts.ts";
export * from "./compare_figures.ts";
export * from "./quantile_ci.ts";
export * from "./level_samples.ts";
export * from "./percentiles_table.ts";
export * from "./repetitions_table.ts";
export * from "./table_groups.ts";
