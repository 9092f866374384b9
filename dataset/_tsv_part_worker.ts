/**
 * The worker of {@linkcode TsvPartWriter}: turns the TSV bytes of activation rows into a frame
 * and writes it as a Parquet part, off the thread that reads the raw log.
 */
import { tsvFrame } from "./activation_bytes.ts";
import { writePart } from "./mod.ts";

interface Job {
  id: number;
  dir: string;
  part: string;
  bytes: Uint8Array;
}

const scope = self as unknown as {
  onmessage: (e: MessageEvent<Job>) => void;
  postMessage: (msg: unknown) => void;
};

scope.onmessage = async ({ data: { id, dir, part, bytes } }) => {
  try {
    await writePart(dir, "activations", part, tsvFrame(bytes));
    scope.postMessage({ id, error: null });
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
