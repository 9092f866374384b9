/**
 * The report's outline, in the thesis's order: the thesis's sections with their tables and
 * figures (pipeline/thesis_facts.ts), and which of the pipeline's own tables and figures belong
 * with them. Tables and figures of a dataset that fit no section (another runtime, another
 * workload) go to a last section rather than being dropped.
 */
import { MIXED_LOADS, THESIS_SECTIONS } from "../pipeline/mod.ts";

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

const endsWith = (suffix: string) => (id: string) => id.endsWith(suffix);

/** The pipeline tables and figures each thesis section owns, by the section's id. */
const OWNS: Record<string, (id: string) => boolean> = {
  actions: (id) => id === "actions",
  cold_start: (id) => id.startsWith("cold_start_") || id.startsWith("box_cold_start_"),
  no_load: endsWith("_hello"),
  hash: endsWith("_hash"),
  ...Object.fromEntries(MIXED_LOADS.map((m) => [m.workload, endsWith(`_${m.workload}`)])),
  comparison: (id) => id.startsWith("comparison") || id === "slowdown",
  capacity: (id) => id.startsWith("capacity") || id === "resources",
  durations: (id) => id.endsWith("_durations"),
};

/** The thesis's sections, in its order. */
export const SECTIONS: SectionSpec[] = [
  ...THESIS_SECTIONS.map((s) => ({
    id: s.id,
    title: s.title,
    items: s.items,
    owns: OWNS[s.id] ?? (() => false),
  })),
  // whiskbench's own: how precise each cell's numbers are.
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
