/**
 * A worker that draws one dataset's bootstrap medians and computes its slowdown frame
 * (cli/compare.ts), so that a comparison uses both cores of a small machine: one worker per
 * dataset. The medians it draws for the slowdown are the ones the compare frame needs too
 * (pipeline/compare.ts, `MedianDraws`); it returns those the compare frame asks for. The cells
 * come as a structured clone (their latencies share one buffer, copied once); the frame goes
 * back as Arrow IPC bytes and the draws as transferred buffers, which keep every value.
 */
import {
  type LatencyCells,
  MedianDraws,
  slowdownFrame,
  type SlowdownFrameOptions,
} from "../pipeline/mod.ts";

/** What the worker is asked. */
export interface SlowdownRequest {
  cells: LatencyCells;
  options: SlowdownFrameOptions & { seed: number; resamples: number; side: string };
  /** The compare frame's cells (keys of `cells`) and level sets to draw and return. */
  needs: [string, number[]][];
}

/** What it answers: the frame as Arrow IPC and the draws asked for, or the error's message. */
export type SlowdownReply = { ipc: Uint8Array; draws: [string, Float64Array][] } | {
  error: string;
};

const scope = self as unknown as {
  onmessage: (e: MessageEvent<SlowdownRequest>) => void;
  postMessage: (reply: SlowdownReply, transfer?: Transferable[]) => void;
};

scope.onmessage = ({ data: { cells, options, needs } }) => {
  try {
    const draws = new MedianDraws(options.side, options.seed, options.resamples);
    const ipc = new Uint8Array(slowdownFrame(cells, options, draws).writeIPC());
    const asked = needs.map(([key, levels]): [string, Float64Array] => {
      const group = cells.get(key)!;
      return [MedianDraws.key(group, levels), draws.of(group, levels)];
    });
    const buffers = [ipc.buffer, ...asked.map(([, d]) => d.buffer)] as ArrayBuffer[];
    scope.postMessage({ ipc, draws: asked }, buffers);
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
