/**
 * Where bytes stop being UTF-8. A raw log with invalid bytes is an error naming the byte, not
 * text with U+FFFD where the bytes were (the published logs are valid UTF-8 throughout), so the
 * readers decode with a fatal TextDecoder and, when it throws, ask this where and why.
 */

/**
 * The offset of the first byte of `bytes` that does not begin or continue a well-formed UTF-8
 * sequence (Unicode, Table 3-7), or -1 if all are well-formed. A sequence cut by the end of
 * `bytes` counts as invalid only with `final`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invalidUtf8At } from "./utf8.ts";
 * assert.equal(invalidUtf8At(new Uint8Array([0x61, 0xc3, 0xa9])), -1); // "aé"
 * assert.equal(invalidUtf8At(new Uint8Array([0x61, 0xff, 0x62])), 1);
 * assert.equal(invalidUtf8At(new Uint8Array([0x61, 0xc3]), { final: false }), -1);
 * ```
 */
export function invalidUtf8At(bytes: Uint8Array, { final = true } = {}): number {
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return final ? i : -1;
      const c = bytes[i + k];
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** A fatal decoder's answer: the text, or null where the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return FATAL.decode(bytes);
  } catch {
    return null;
  }
}

const FATAL = new TextDecoder("utf-8", { fatal: true });
