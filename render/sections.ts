/**
 * The report's outline, in the thesis's order: which thesis tables and figures each section
 * shows, and which of the pipeline's own tables and figures belong with them. Written out once
 * here because the order is the thesis's, not something the data could tell; tables and
 * figures of a dataset that fit no section (another runtime, another workload) go to a last
 * section rather than being dropped.
 */

/** One section of the report. */
export interface SectionSpec {
  /** Anchor and key, e.g. `cold_start`. */
  id: string;
  title: string;
  /** Thesis tables (`table_3`, `figure_10`) and figures (`figure_05`) in the order shown. */
  items: string[];
  /** Whether a pipeline table or figure id (`cold_start_docker`, `box_...`) belongs here. */
  owns(id: string): boolean;
}

const MIXED = [
  ["10_90", "10 % IO / 90 % CPU", [13, 14], ["table_7", "table_8"]],
  ["25_75", "25 % IO / 75 % CPU", [15, 17], ["figure_16", "figure_18"]],
  ["50_50", "50 % IO / 50 % CPU", [19, 21], ["figure_20", "figure_22"]],
  ["75_25", "75 % IO / 25 % CPU", [23, 25], ["figure_24", "figure_26"]],
  ["90_10", "90 % IO / 10 % CPU", [27, 29], ["figure_28", "figure_30"]],
] as const;

function fig(n: number): string {
  return `figure_${String(n).padStart(2, "0")}`;
}

const endsWith = (suffix: string) => (id: string) => id.endsWith(suffix);

/** The thesis's sections, in its order. */
export const SECTIONS: SectionSpec[] = [
  {
    id: "actions",
    title: "Benchmark actions",
    items: ["table_1", "table_2"],
    owns: (id) => id === "actions",
  },
  {
    id: "cold_start",
    title: "Cold start: waitTime + initTime",
    items: ["table_3", "table_4", fig(5), fig(6)],
    owns: (id) => id.startsWith("cold_start_") || id.startsWith("box_cold_start_"),
  },
  {
    id: "no_load",
    title: "Warm latency, no load (hello)",
    items: ["table_5", "table_6", fig(7), fig(8)],
    owns: endsWith("_hello"),
  },
  {
    id: "hash",
    title: "Warm latency, hash load",
    items: [fig(9), "figure_10", fig(11), "figure_12"],
    owns: endsWith("_hash"),
  },
  ...MIXED.map(([wl, label, figs, tables]): SectionSpec => ({
    id: `mixed_${wl}`,
    title: `Warm latency, mixed load ${label}`,
    items: [fig(figs[0]), tables[0], fig(figs[1]), tables[1]],
    owns: endsWith(`_mixed_${wl}`),
  })),
  {
    id: "comparison",
    title: "Comparison and slowdown, pooled over levels",
    items: [9, 10, 11, 12, 13, 14, 15, 16].map((n) => `table_${n}`),
    owns: (id) => id.startsWith("comparison") || id === "slowdown",
  },
  {
    id: "capacity",
    title: "Capacity, CPU and memory",
    items: ["table_17", fig(31), `${fig(31)}_thesis`, fig(32)],
    owns: (id) => id.startsWith("capacity") || id === "resources",
  },
  {
    id: "durations",
    title: "Executor durations",
    items: ["table_18", "table_19", fig(33), fig(34)],
    owns: (id) => id.endsWith("_durations"),
  },
  {
    id: "precision",
    title: "Tail percentiles and repetitions",
    items: [],
    owns: (id) => id === "percentiles" || id === "repetitions",
  },
];

/** The last section: whatever a dataset has that no thesis section owns. */
export const OTHER_SECTION: SectionSpec = {
  id: "other",
  title: "Other tables and figures of this dataset",
  items: [],
  owns: () => true,
};

/** The section a pipeline table or figure id belongs to (the first that owns it). */
export function sectionOf(id: string): SectionSpec {
  return SECTIONS.find((s) => s.items.includes(id) || s.owns(id)) ?? OTHER_SECTION;
}
