/**
 * One activation, one row: after ingest has written a dataset's parts (and before the dataset
 * is put in place), every activation id must occur once. None of the thesis's raw formats
 * writes a record twice into the files that become rows: its tools push each response once,
 * and the derived files that do repeat records (`2_` cold-start, `2_docker_capacity`) are
 * checked against their `1_` log, not stored. So a repeated id is an error (a run pasted twice
 * into a log, two logs of one run), named by file and byte, never a row counted twice.
 *
 * The check reads only the ids of the `activation_id` column of the parts, in polars, so the byte loop of
 * the fast path (dataset/activation_bytes.ts) keeps making no JS string per record.
 */
import pl from "nodejs-polars";
import { basename, join } from "node:path";
import { type DuplicateId, findDuplicateId, partPaths } from "../dataset/mod.ts";

/** The raw file a part of `activations` was written from: `1_x.0002.parquet` -> `1_x.log`. */
function rawFileOf(part: string): string {
  return basename(part).replace(/(\.\d{4})?\.parquet$/, ".log");
}

/** Byte offsets of the first `max` occurrences of `needle` in the file at `path`. */
async function offsetsOf(path: string, needle: string, max: number): Promise<number[]> {
  const bytes = await Deno.readFile(path);
  const want = new TextEncoder().encode(needle);
  const found: number[] = [];
  for (let i = bytes.indexOf(want[0]); i >= 0 && found.length < max;) {
    let k = 1;
    while (k < want.length && bytes[i + k] === want[k]) k++;
    if (k === want.length) found.push(i);
    i = bytes.indexOf(want[0], i + 1);
  }
  return found;
}

/** The first activation id that occurs twice in the `activations` parts under `dataDir`. */
export async function duplicateId(dataDir: string): Promise<DuplicateId | null> {
  const parts: { part: string; ids: pl.Series }[] = [];
  for (const path of await partPaths(join(dataDir, "activations"))) {
    // Only the ids there are: a part of sample rows has none, and a column of nulls read
    // whole would cost memory in proportion to the samples.
    const ids = (await pl.scanParquet(path).select("activation_id")
      .filter(pl.col("activation_id").isNotNull()).collect()).getColumn("activation_id");
    if (ids.len() > 0) parts.push({ part: path, ids });
  }
  return findDuplicateId(parts);
}

/**
 * Where a repeated id `d` is in the files its parts were written from (`fileOf`: a part's file,
 * as messages name it, and its path): `name byte N` for each of its first two places.
 */
export async function duplicatePlaces(
  d: DuplicateId,
  fileOf: (part: string) => { name: string; path: string },
): Promise<string[]> {
  const [a, b] = [fileOf(d.first.part), fileOf(d.second.part)];
  const needle = JSON.stringify(d.id);
  const where = async (path: string, n: number) => {
    const at = await offsetsOf(path, needle, n);
    return at.length > 0 ? at : await offsetsOf(path, d.id, n);
  };
  return a.path === b.path ? (await where(a.path, 2)).map((at) => `${a.name} byte ${at}`) : [
    `${a.name} byte ${(await where(a.path, 1))[0]}`,
    `${b.name} byte ${(await where(b.path, 1))[0]}`,
  ];
}

/**
 * Throws if an activation id occurs twice in the `activations` parts under `dataDir`, naming
 * the raw files of `rawDir` they came from and the byte offset of the id in each.
 */
export async function checkIngestedIds(dataDir: string, rawDir: string): Promise<void> {
  const d = await duplicateId(dataDir);
  if (!d) return;
  const places = await duplicatePlaces(d, (part) => {
    const name = rawFileOf(part);
    return { name, path: join(rawDir, name) };
  });
  throw new RangeError(
    `activation id ${JSON.stringify(d.id)} occurs twice: ${places.join(" and ")} ` +
      `(${d.count} records repeat an id; an activation is one row: is a run in a log twice?)`,
  );
}
