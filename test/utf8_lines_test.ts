import assert from "node:assert/strict";
import { readLines } from "../ingest/lines.ts";
import { invalidUtf8At } from "../ingest/utf8.ts";

const enc = (s: string) => [...new TextEncoder().encode(s)];

/** Inputs with one fault each (or none), as bytes. */
const INPUTS: Record<string, number[]> = {
  "valid, 2-, 3- and 4-byte sequences": enc("1: , 2\nä € 😀\n3: , 4\n"),
  "a stray continuation byte": [...enc("1: , 2\nab"), 0x80, ...enc("\n")],
  "0xff": [...enc("1: , 2\n"), 0xff],
  "an overlong slash": [...enc("x\n"), 0xc0, 0xaf, ...enc("\n")],
  "a surrogate": [...enc("x\ny\n"), 0xed, 0xa0, 0x80],
  "a 3-byte sequence cut by a newline": [...enc("x\n"), 0xe2, 0x82, ...enc("\ny\n")],
  "a 4-byte sequence cut by the end": [...enc("x\n"), 0xf0, 0x9f, 0x98],
  "above U+10FFFF": [...enc("é\n"), 0xf4, 0x90, 0x80, 0x80],
};

async function* chunks(bytes: Uint8Array, cuts: number[]) {
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    yield bytes.slice(from, c);
    from = c;
  }
}

async function read(bytes: Uint8Array, cuts: number[]): Promise<string[] | string> {
  try {
    return (await Array.fromAsync(readLines(chunks(bytes, cuts), "f.log"))).map((l) => l.text);
  } catch (err) {
    return (err as Error).message;
  }
}

for (const [name, list] of Object.entries(INPUTS)) {
  Deno.test(`readLines() on ${name}: the same lines or the same byte, however the bytes are cut`, async () => {
    const bytes = new Uint8Array(list);
    const at = invalidUtf8At(bytes);
    const whole = await read(bytes, []);
    if (at < 0) {
      assert.deepEqual(whole, new TextDecoder().decode(bytes).replace(/\n$/, "").split("\n"));
    } else {
      const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
      assert.match(
        whole as string,
        new RegExp(`^f\\.log byte ${at} \\(line ${line}\\): invalid UTF-8: byte 0x`),
      );
    }
    for (let i = 1; i < bytes.length; i++) {
      assert.deepEqual(await read(bytes, [i]), whole, `cut at ${i}`);
      for (let j = i + 1; j < bytes.length; j++) {
        assert.deepEqual(await read(bytes, [i, j]), whole, `cut at ${i}, ${j}`);
      }
    }
  });
}
