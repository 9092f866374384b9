/**
 * The dataset a collection writes into: a new folder, or an existing dataset to which it adds
 * parts (so the Docker and Wasm runs of one campaign share a dataset) with `run` numbers
 * continuing and no part overwritten. dataset.json gets one entry per collection under
 * `collections` (parameters, host, OpenWhisk's `GET /api/v1` answer, tool version, status),
 * written when it starts and again when it ends, so even a killed collection is described.
 */
import pl from "nodejs-polars";
import { checkOutput } from "../dataset/folder.ts";
import {
  freeReserve,
  isCollected,
  lockForWriting,
  newCollectedMeta,
  readMeta,
  readTable,
  updateMeta,
} from "../dataset/mod.ts";
import denoJson from "../deno.json" with { type: "json" };
import { type Clock, systemClock } from "./clock.ts";
import { PartWriter } from "./part_writer.ts";
import { COLLECTED_COLUMNS, COLLECTED_EVENT_COLUMNS } from "./rows.ts";

/** The version of whiskbench, from deno.json. */
export const TOOL_VERSION: string = denoJson.version;

/** What dataset.json says about one collection. */
export interface CollectionEntry {
  id: string;
  experiment: string;
  runtime: string;
  workload: string;
  status: "running" | "complete" | "interrupted" | "stopped" | "failed";
  started: string;
  finished?: string;
  first_run: number;
  parameters: Record<string, unknown>;
  host: unknown;
  openwhisk: { apihost: string; api: unknown; [key: string]: unknown };
  tool: { name: "whiskbench"; version: string };
  counts?: Record<string, number>;
  flags?: unknown[];
  [key: string]: unknown;
}

/** Options of {@link openOutput}. */
export interface OutputOptions {
  experiment: string;
  runtime: string;
  workload: string;
  parameters: Record<string, unknown>;
  host: unknown;
  /** The API host, its `GET /api/v1` answer, and what else OpenWhisk told (limits, runtimes). */
  openwhisk: { apihost: string; api: unknown; [key: string]: unknown };
  clock?: Clock;
  /** Flush interval of the parts, ms (default 5 000). */
  flushEveryMs?: number;
}

/** The highest `run` of one experiment, runtime and workload in a dataset (0 if none). */
export async function lastRun(
  dir: string,
  experiment: string,
  runtime: string,
  workload: string,
): Promise<number> {
  const rows = (await readTable(dir, "activations")).filter(
    pl.col("experiment").eq(pl.lit(experiment))
      .and(pl.col("runtime").eq(pl.lit(runtime)))
      .and(pl.col("workload").eq(pl.lit(workload))),
  );
  const max = rows.height ? rows.getColumn("run").max() : 0;
  return typeof max === "number" ? max : Number(max ?? 0);
}

/** An open output: writers of activations and events, and the collection's entry. */
export class Output {
  constructor(
    readonly dir: string,
    readonly entry: CollectionEntry,
    readonly activations: PartWriter<typeof COLLECTED_COLUMNS>,
    readonly events: PartWriter<typeof COLLECTED_EVENT_COLUMNS>,
    /** Releases the dataset's `collect` lock (once the collection has ended). */
    readonly unlock: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /**
   * A recorder of this collection's phase markers (events/): each call adds one, stamped by
   * `clock`, with the experiment's context and this collection's id.
   */
  eventRecorder(
    clock: Pick<Clock, "now">,
    context: { experiment: string; runtime: string; workload: string },
  ): (level: number, what: string, run: number) => void {
    return (level, what, run) =>
      this.events.push({
        t_ms: clock.now(),
        level,
        what,
        run,
        ...context,
        collection: this.entry.id,
      });
  }

  /** Flushes both tables on a wall-time timer too (see PartWriter.autoFlush); returns the stop. */
  autoFlush(): () => void {
    const stops = [this.activations.autoFlush(), this.events.autoFlush()];
    return () => stops.forEach((stop) => stop());
  }

  /** Writes every pending row. */
  async flush(): Promise<void> {
    await Promise.all([this.activations.flush(), this.events.flush()]);
  }

  /** Rewrites this collection's entry in dataset.json (others' entries are kept). */
  async saveEntry(): Promise<void> {
    await updateMeta(this.dir, (meta) => {
      const list = Array.isArray(meta?.collections) ? meta.collections as CollectionEntry[] : [];
      const i = list.findIndex((c) => c.id === this.entry.id);
      if (i >= 0) list[i] = this.entry;
      else list.push(this.entry);
      return { ...meta, collections: list };
    });
  }

  /**
   * Records that the collection failed (a write error, a crash of the experiment): status
   * `failed`, the error's text and the counts, as far as dataset.json can still be written;
   * the parts already written stay. Releases the lock.
   */
  async fail(error: unknown, counts: Record<string, number>): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    Object.assign(this.entry, {
      status: "failed",
      finished: new Date().toISOString(),
      error: message,
      counts,
    });
    await freeReserve(this.dir, "collect");
    try {
      await this.saveEntry();
    } catch (err) {
      console.error(
        `could not record the failure in dataset.json: ${err instanceof Error ? err.message : err}`,
      );
    }
    await this.unlock();
  }

  /** Flushes, then records the end state and counts. */
  async finish(status: CollectionEntry["status"], counts: Record<string, number>): Promise<void> {
    await this.flush();
    Object.assign(this.entry, { status, finished: new Date().toISOString(), counts });
    await this.saveEntry();
    await this.unlock();
  }
}

/** Opens (or creates) the dataset `dir` for one collection and writes its entry. */
export async function openOutput(
  dir: string,
  { experiment, runtime, workload, parameters, host, openwhisk, clock = systemClock, flushEveryMs }:
    OutputOptions,
): Promise<Output> {
  await checkOutput(dir, "dataset");
  const existing = await readMeta(dir);
  if (existing && !isCollected(existing)) {
    throw new Error(
      `${dir} is a dataset not made by deno task collect (its dataset.json has no ` +
        "collections), such as an ingested one: give another --out",
    );
  }
  const unlock = await lockForWriting(
    dir,
    "collect",
    `collect ${experiment} ${runtime} ${workload}`,
  );
  if (!existing) {
    await updateMeta(dir, (meta) =>
      meta ?? {
        ...newCollectedMeta(dir, `collected with whiskbench ${TOOL_VERSION} (deno task collect)`),
        // Of the first collection; each entry of `collections` has its own.
        host,
        openwhisk,
      });
  }
  const started = new Date();
  const stamp = started.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const id = `${stamp}-${crypto.randomUUID().slice(0, 6)}`;
  const prefix = `${experiment}.${runtime.replace(/[^\w-]/g, "_")}.${id}`;
  const entry: CollectionEntry = {
    id,
    experiment,
    runtime,
    workload,
    status: "running",
    started: started.toISOString(),
    first_run: (await lastRun(dir, experiment, runtime, workload)) + 1,
    parameters,
    host,
    openwhisk,
    tool: { name: "whiskbench", version: TOOL_VERSION },
  };
  const opts = { clock, flushEveryMs };
  const out = new Output(
    dir,
    entry,
    new PartWriter(dir, "activations", prefix, COLLECTED_COLUMNS, opts),
    new PartWriter(dir, "events", prefix, COLLECTED_EVENT_COLUMNS, opts),
    unlock,
  );
  await out.saveEntry();
  return out;
}
