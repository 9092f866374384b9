/**
 * A worker that computes one dataset's slowdown frame (cli/compare.ts), so that a comparison
 * uses both cores of a small machine: the main thread compares the two datasets meanwhile, two
 * workers compute the slowdowns. The cells come as a structured clone (their latencies share
 * one buffer, copied once); the frame goes back as Arrow IPC bytes, which keep every value and
 * type as they are.
 */
import { type LatencyCells, slowdownFrame, type SlowdownFrameOptions } from "../pipeline/mod.ts";

/** What the worker is asked. */
export interface SlowdownRequest {
  cells: LatencyCells;
  options: SlowdownFrameOptions;
}

/** What it answers: the frame as Arrow IPC, or the error's message. */
export type SlowdownReply = { ipc: Uint8Array } | { error: string };

const scope = self as unknown as {
  onmessage: (e: MessageEvent<SlowdownRequest>) => void;
  postMessage: (reply: SlowdownReply, transfer?: Transferable[]) => void;
};

scope.onmessage = ({ data: { cells, options } }) => {
  try {
    const ipc = new Uint8Array(slowdownFrame(cells, options).writeIPC());
    scope.postMessage({ ipc }, [ipc.buffer]);
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
