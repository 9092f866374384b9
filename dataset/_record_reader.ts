/**
 * A validating reader of one activation record in canonical JSON (exactly as JSON.stringify
 * writes it: no spaces, numbers in shortest form, strings escaped only where JSON.stringify
 * escapes them, valid UTF-8, no duplicate keys, no integer-like keys, which V8 would reorder).
 * For such a text, JSON.stringify(JSON.parse(text)) === text, so the bytes are the record's
 * `record` column. While validating, it notes where the values activationRow reads lie.
 * Anything else makes it return -1: the caller then uses JSON.parse and activationRow.
 */

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, DOT = 0x2e;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const ZERO = 0x30, NINE = 0x39;

/** Kinds of JSON value. */
export const STRING = 1, NUMBER = 2, TRUE = 3, FALSE = 4, NULL = 5, OBJECT = 6, ARRAY = 7;

/** Where a value lies in the buffer: `[start, end)`, start -1 when absent. */
export interface Field {
  kind: number;
  start: number;
  end: number;
  /** A string without escapes: its bytes between the quotes are its value. */
  plain: boolean;
}

/**
 * The deepest nesting of values the fast path reads; a deeper record is declined, so that the
 * recursion here stays shallow and the full parser, which bounds nesting with an error naming
 * the byte, decides (activation records nest about four deep).
 */
const MAX_DEPTH = 64;

function field(): Field {
  return { kind: 0, start: -1, end: -1, plain: false };
}

// What the members of an object mean, by the object's place in the record.
const ANY = 0, RECORD = 1, ANNOTATION = 2, RESPONSE = 3, RESULT = 4;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The keys the reader looks for, as bytes (compared byte by byte with the record's). */
const W_ACTIVATION_ID = encoder.encode("activationId");
const W_ANNOTATIONS = encoder.encode("annotations");
const W_DURATION = encoder.encode("duration");
const W_END = encoder.encode("end");
const W_ERROR = encoder.encode("error");
const W_INIT_TIME = encoder.encode("initTime");
const W_KEY = encoder.encode("key");
const W_KIND = encoder.encode("kind");
const W_NAME = encoder.encode("name");
const W_RESPONSE = encoder.encode("response");
const W_RESULT = encoder.encode("result");
const W_START = encoder.encode("start");
const W_STATUS = encoder.encode("status");
const W_STATUS_CODE = encoder.encode("statusCode");
const W_SUCCESS = encoder.encode("success");
const W_VALUE = encoder.encode("value");
const W_WAIT_TIME = encoder.encode("waitTime");

/** Bytes that a string takes as they are: printable ASCII but `"` and `\\` (1), others 0. */
const PLAIN = new Uint8Array(256);
for (let b = 0x20; b < 0x80; b++) PLAIN[b] = b === QUOTE || b === BACKSLASH ? 0 : 1;

function hexLower(b: number): number {
  return (b >= ZERO && b <= NINE) ? b - ZERO : (b >= 0x61 && b <= 0x66) ? b - 0x57 : -1;
}

/** The text both forms of the `limits` pattern (dataset/limits_memory.ts) hold, compact. */
const LIMITS_KEY = encoder.encode('"key":"limits"');
/** The value of {@linkcode LIMITS_KEY}. */
const LIMITS_VALUE = encoder.encode('"limits"');
/** What follows {@linkcode LIMITS_KEY} in the key-first form, up to the value's `{`. */
const VALUE_HEAD = encoder.encode(',"value":{');

/**
 * Where the `limits` memory pattern (dataset/limits_memory.ts) can match in a compact record.
 * Each quote of its literal text but the first follows a letter, `:` or `,`, never a
 * backslash, so it is no string's content: a match is made of the record's own tokens, a
 * member whose key ends in `key` after a quote (its opening one, or an escaped one inside it)
 * and whose value is `"limits"`, then, key first, the object value of the member `"value"`
 * right after it. The reader meets every member of every object, so it finds them all, and
 * these are all there are.
 */
export interface LimitsPlaces {
  /** The `{` that ends each key-first head `"key":"limits","value":{`, in text order. */
  heads: number[];
  /** Whether the text holds `"key":"limits"`, which the value-first form needs. */
  key: boolean;
}

/**
 * The most values of a record whose shape the reader keeps, and the most bytes: past them a
 * record is read in full each time (activation records hold about 25 values in 600 bytes).
 */
const MAX_SLOTS = 256, MAX_SHAPE_BYTES = 64 << 10;

/** The most shapes kept; the matches counted of a shape before all counts are halved. */
const MAX_SHAPES = 4, MAX_HITS = 1024;

/**
 * Where fewer than about 3 records in 4 match a shape (a match saves about a third of what a
 * miss costs where records differ late), the next records are read in full without matching
 * or keeping shapes: first MIN_PAUSE of them, doubled (up to MAX_PAUSE) at each pause.
 */
const MISS_COST = 3, MAX_SCORE = 24, MIN_PAUSE = 64, MAX_PAUSE = 4096;

// How a field is found in a record of a kept shape.
const ABSENT = 0, NO_VALUE = 1, IN_SLOT = 2, IN_SHAPE = 3;

/** The fields a shape maps (see RecordReader's `#fields`). */
const SHAPE_FIELDS = 12;

/**
 * A record read in full, kept to match the next records against: its bytes, the place of
 * each of its values that are strings, numbers or literals (its slots; an annotation's `key`
 * is not one: which annotation it is depends on it) and where the reader's fields are.
 */
class Shape {
  /** Records matched lately (halved now and then). */
  hits = 0;
  /** The record's bytes: `bytes[0..len)`. */
  bytes = new Uint8Array(0);
  /**
   * The bytes again as 32-bit words, four times: in `words[a]`, byte `i` lies at byte `a + i`,
   * so that for any place of the record in its buffer one of them lines up with the buffer's
   * words and the bytes can be compared four at a time.
   */
  words: Int32Array[] = [];
  len = 0;
  slots = 0;
  /** Each slot's start and end in `bytes`. */
  readonly start = new Int32Array(MAX_SLOTS);
  readonly end = new Int32Array(MAX_SLOTS);
  /** Each slot's kind and plainness (1 for a plain string). */
  readonly kind = new Uint8Array(MAX_SLOTS);
  readonly plain = new Uint8Array(MAX_SLOTS);
  /** The record has an `annotations` array. */
  annotations = false;
  /**
   * With `limits`: the record's {@linkcode LimitsPlaces}, each head's place in `bytes` and the
   * slots before it, and whether each slot's value is `"limits"` (1).
   */
  limitsKey = false;
  readonly heads: number[] = [];
  readonly headsAfter: number[] = [];
  readonly limits = new Uint8Array(MAX_SLOTS);
  /**
   * Where each field is: how (ABSENT, NO_VALUE, IN_SLOT: slot `fieldA`, IN_SHAPE: an object
   * or array from `fieldA` to `fieldC` of `bytes`, after `fieldB` and `fieldD` slots, of kind
   * `fieldKind`).
   */
  readonly fieldHow = new Uint8Array(SHAPE_FIELDS);
  readonly fieldA = new Int32Array(SHAPE_FIELDS);
  readonly fieldB = new Int32Array(SHAPE_FIELDS);
  readonly fieldC = new Int32Array(SHAPE_FIELDS);
  readonly fieldD = new Int32Array(SHAPE_FIELDS);
  readonly fieldKind = new Uint8Array(SHAPE_FIELDS);
}

/**
 * Reads records; its fields describe the last record read.
 *
 * Consecutive records mostly differ only in a few of their strings, numbers and literals
 * (ids, times): the reader keeps the shapes of the last records it read in full (a few: cold
 * and warm records come mixed), each its bytes with the place of each such value (a slot). A
 * record is first matched against them: its bytes compared with the shape's, and where they
 * differ in a slot, the slot's value read and validated as the full read does. A record that
 * matches has the same keys in the same order, the same objects and arrays, the same
 * annotation keys, and canonical values in the slots, so it is canonical, and the fields lie
 * where the shape says, moved by the values that changed length. Matching skips the per-key
 * work of the full read (scanning and comparing keys, looking for duplicates) and reads only
 * the values that changed; any other difference falls back to the full read, whose record
 * becomes a shape.
 */
export class RecordReader {
  buf: Uint8Array = new Uint8Array(0);
  #n = 0;
  /** The `{` of the record being read. */
  #from = 0;
  /**
   * Start and end of each key of the objects open, as a stack: `#keys[0..#keyTop)`. The array
   * is never shortened (setting an array's length took 8 % of the reader's time): an object's
   * keys are dropped by moving the top back.
   */
  #keys: number[] = [];
  #keyTop = 0;
  /** Kind and plainness of the last value read. */
  #kind = 0;
  #plain = false;

  readonly id = field();
  readonly name = field();
  readonly start = field();
  readonly end = field();
  readonly duration = field();
  /** First annotations named kind, waitTime, initTime (`start` -2: present without a value). */
  readonly kind = field();
  readonly wait = field();
  readonly init = field();
  readonly status = field();
  readonly success = field();
  readonly result = field();
  /** `response.result.error` where result is an object holding one. */
  readonly error = field();
  /** The record has an `annotations` array. */
  annotations = false;
  readonly #annKey = field();
  readonly #annValue = field();
  /** Arrays and objects open around the value being read (see MAX_DEPTH). */
  #depth = 0;
  /** With the `limits` option: where the `limits` memory pattern can match, else null. */
  readonly limits: LimitsPlaces | null;
  /** How many records were read by matching a kept shape (the others in full). */
  matched = 0;

  /** The fields a shape maps, in a fixed order. */
  readonly #fields: Field[] = [
    this.id,
    this.name,
    this.start,
    this.end,
    this.duration,
    this.kind,
    this.wait,
    this.init,
    this.status,
    this.success,
    this.result,
    this.error,
  ];
  /** Values read during a full read, while recording its shape (`#slots` of them; -1: not). */
  #slots = -1;
  readonly #slotStart = new Int32Array(MAX_SLOTS);
  readonly #slotEnd = new Int32Array(MAX_SLOTS);
  readonly #slotKind = new Uint8Array(MAX_SLOTS);
  readonly #slotPlain = new Uint8Array(MAX_SLOTS);
  /**
   * The shapes kept, most matched first: records of a few shapes come mixed (a cold start's
   * record has an `initTime` annotation more than a warm one's).
   */
  readonly #shapes: Shape[] = [];
  /**
   * Whether matching pays: +1 a match, -MISS_COST a record read in full after failed matches,
   * within +-MAX_SCORE; at -MAX_SCORE, `#pause` records are read in full alone.
   */
  #score = 0;
  #pause = 0;
  /** The next pause: doubled by each pause, back to MIN_PAUSE once the score is full. */
  #backoff = MIN_PAUSE;
  /**
   * The slots whose value differs from the shape's in the record being matched, in order:
   * which, the value's place in the record, its kind and plainness.
   */
  readonly #changedSlot = new Int32Array(MAX_SLOTS);
  readonly #changedStart = new Int32Array(MAX_SLOTS);
  readonly #changedEnd = new Int32Array(MAX_SLOTS);
  readonly #changedKind = new Uint8Array(MAX_SLOTS);
  readonly #changedPlain = new Uint8Array(MAX_SLOTS);
  /** The buffer of the records read, as 32-bit words (made again when it changes). */
  #words: Int32Array = new Int32Array(0);
  #wordsOf: ArrayBufferLike | null = null;

  /**
   * `limits`: note the {@linkcode LimitsPlaces} of each record, for the importers' `limits`
   * memory (default false).
   */
  constructor({ limits = false }: { limits?: boolean } = {}) {
    this.limits = limits ? { heads: [], key: false } : null;
  }

  /**
   * Reads the record whose `{` is at `p` of `buf`; returns the index after it, or -1 if it is
   * not canonical JSON (or runs past the buffer).
   */
  read(buf: Uint8Array, p: number): number {
    this.buf = buf;
    this.#n = buf.length;
    const shapes = this.#shapes, matching = this.#pause === 0;
    if (!matching) this.#pause--;
    for (let k = 0; matching && k < shapes.length; k++) {
      const end = this.#match(shapes[k], p);
      if (end >= 0) {
        this.matched++;
        if (this.#score < MAX_SCORE) this.#score++;
        else this.#backoff = MIN_PAUSE;
        // Shapes are tried most matched first (recent matches weigh more): where two shapes
        // come mixed, the commoner is tried first (the last matched first would try the
        // wrong one first on every change of shape).
        const shape = shapes[k];
        if (++shape.hits > MAX_HITS) { for (const s of shapes) s.hits >>= 1; }
        for (; k > 0 && shapes[k - 1].hits < shape.hits; k--) shapes[k] = shapes[k - 1];
        shapes[k] = shape;
        return end;
      }
    }
    this.#depth = 0;
    this.id.start =
      this.name.start =
      this.start.start =
      this.end.start =
        -1;
    this.duration.start =
      this.kind.start =
      this.wait.start =
      this.init.start =
        -1;
    this.status.start =
      this.success.start =
      this.result.start =
      this.error.start =
        -1;
    this.annotations = false;
    this.#keyTop = 0;
    this.#from = p;
    if (this.limits !== null) {
      this.limits.heads.length = 0;
      this.limits.key = false;
    }
    if (buf[p] !== OPEN_BRACE) return -1;
    if (matching && (this.#score -= MISS_COST) <= -MAX_SCORE) {
      // Too few records match (each miss costs the failed matches and keeping its shape, up
      // to 4 times what a match saves): read the next ones in full alone, longer each time.
      this.#score = 0;
      this.#pause = this.#backoff;
      this.#backoff = Math.min(2 * this.#backoff, MAX_PAUSE);
    }
    this.#slots = matching ? 0 : -1; // recording the record's shape
    const end = this.#object(p, RECORD);
    if (end >= 0 && this.#slots >= 0) this.#keep(p, end);
    this.#slots = -1;
    return end;
  }

  /** Keeps the shape of the record `[p, end)` just read in full, its slots noted. */
  #keep(p: number, end: number): void {
    const len = end - p, slots = this.#slots;
    if (len > MAX_SHAPE_BYTES) return;
    const shapes = this.#shapes;
    const shape = shapes.length < MAX_SHAPES ? new Shape() : shapes.pop()!;
    shape.hits = 0;
    shapes.unshift(shape);
    if (shape.bytes.length < len) {
      shape.bytes = new Uint8Array(Math.max(len, 2 * shape.bytes.length));
    }
    shape.bytes.set(this.buf.subarray(p, end));
    for (let a = 0; a < 4; a++) {
      if (!shape.words[a] || shape.words[a].length * 4 < len + a + 4) {
        shape.words[a] = new Int32Array((shape.bytes.length >> 2) + 2);
      }
      new Uint8Array(shape.words[a].buffer).set(shape.bytes.subarray(0, len), a);
    }
    const slotStart = this.#slotStart, slotEnd = this.#slotEnd;
    for (let k = 0; k < slots; k++) {
      shape.start[k] = slotStart[k] - p;
      shape.end[k] = slotEnd[k] - p;
      shape.kind[k] = this.#slotKind[k];
      shape.plain[k] = this.#slotPlain[k];
    }
    const before = (at: number) => {
      let k = 0;
      while (k < slots && slotStart[k] < at) k++;
      return k;
    };
    const fields = this.#fields;
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j];
      if (f.start === -1) shape.fieldHow[j] = ABSENT;
      else if (f.start === -2) shape.fieldHow[j] = NO_VALUE;
      else {
        const k = before(f.start);
        if (k < slots && slotStart[k] === f.start) {
          shape.fieldHow[j] = IN_SLOT;
          shape.fieldA[j] = k;
        } else {
          shape.fieldHow[j] = IN_SHAPE;
          shape.fieldA[j] = f.start - p;
          shape.fieldB[j] = k;
          shape.fieldC[j] = f.end - p;
          shape.fieldD[j] = before(f.end);
          shape.fieldKind[j] = f.kind;
        }
      }
    }
    shape.annotations = this.annotations;
    const limits = this.limits;
    if (limits !== null) {
      // The heads are `{`s of the shape's own bytes; a slot that is or becomes `"limits"` may
      // change them, and is not matched (see #match).
      shape.limitsKey = limits.key;
      shape.heads.length = shape.headsAfter.length = 0;
      for (const head of limits.heads) {
        shape.heads.push(head - p);
        shape.headsAfter.push(before(head));
      }
      for (let k = 0; k < slots; k++) {
        shape.limits[k] =
          slotEnd[k] - slotStart[k] === 8 && this.#is(slotStart[k], slotEnd[k], LIMITS_VALUE)
            ? 1
            : 0;
      }
    }
    shape.slots = slots;
    shape.len = len;
  }

  /**
   * Matches the record at `p` against `shape`; where it matches, sets the fields and returns
   * the index after the record, else returns -1 with the fields unchanged.
   *
   * The record's bytes are compared with the shape's as one run. Where they differ inside a
   * slot (or just after it: a longer number), the slot's value is read and validated from its
   * start and the run goes on after it; anywhere else, the record has another shape. A slot
   * passed over with its bytes and the byte after them equal holds the shape's value (the
   * byte after ends any number), of the shape's kind.
   */
  #match(shape: Shape, p: number): number {
    const buf = this.buf, bytes = shape.bytes, len = shape.len, slots = shape.slots;
    const shapeStart = shape.start, shapeEnd = shape.end;
    const changedSlot = this.#changedSlot, changedStart = this.#changedStart;
    const changedEnd = this.#changedEnd;
    // `q` in the record is `at` in the shape; the bytes before them have matched.
    let q = p, at = 0, k = 0, changed = 0;
    if (this.#wordsOf !== buf.buffer) {
      this.#wordsOf = buf.buffer;
      this.#words = new Int32Array(buf.buffer, 0, buf.buffer.byteLength >> 2);
    }
    const words = this.#words, base = buf.byteOffset;
    for (;;) {
      const stop = len - at < this.#n - q ? len : at + (this.#n - q);
      // Bytes up to a word of the buffer, words while they are equal, then bytes.
      while (at < stop && ((base + q) & 3) !== 0 && buf[q] === bytes[at]) {
        q++;
        at++;
      }
      if (((base + q) & 3) === 0) {
        const a = (4 - (at & 3)) & 3, shapeWords = shape.words[a];
        const from = (base + q) >> 2, end = from + ((stop - at) >> 2);
        let w = from, v = (a + at) >> 2;
        while (w < end && words[w] === shapeWords[v]) {
          w++;
          v++;
        }
        q += (w - from) << 2;
        at += (w - from) << 2;
      }
      while (at < stop && buf[q] === bytes[at]) {
        q++;
        at++;
      }
      if (at === len) break;
      if (at === stop) return -1; // the record runs past the buffer
      while (k < slots && shapeEnd[k] < at) k++;
      if (k === slots || shapeStart[k] > at) return -1; // the shape's own bytes differ
      q -= at - shapeStart[k];
      const c = buf[q];
      if (c === OPEN_BRACE || c === OPEN_BRACKET) return -1;
      const end = this.#scalar(q, c);
      if (end < 0) return -1;
      if (
        this.limits !== null &&
        (shape.limits[k] === 1 || (end - q === 8 && this.#is(q, end, LIMITS_VALUE)))
      ) return -1;
      changedSlot[changed] = k;
      changedStart[changed] = q;
      changedEnd[changed] = end;
      this.#changedKind[changed] = this.#kind;
      this.#changedPlain[changed] = this.#plain ? 1 : 0;
      changed++;
      q = end;
      at = shapeEnd[k];
      k++;
    }
    const fields = this.#fields;
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j], how = shape.fieldHow[j];
      if (how === ABSENT) {
        f.start = -1;
        continue;
      }
      if (how === NO_VALUE) {
        f.start = -2;
        continue;
      }
      // The record's bytes lie where the shape's do, moved by the change in length of the
      // slots before them that changed.
      const slot = how === IN_SLOT ? shape.fieldA[j] : shape.fieldB[j];
      let shift = 0, c = 0;
      for (; c < changed && changedSlot[c] < slot; c++) {
        const s = changedSlot[c];
        shift += changedEnd[c] - changedStart[c] - (shapeEnd[s] - shapeStart[s]);
      }
      if (how === IN_SLOT) {
        if (c < changed && changedSlot[c] === slot) {
          f.kind = this.#changedKind[c];
          f.start = changedStart[c];
          f.end = changedEnd[c];
          f.plain = this.#changedPlain[c] === 1;
        } else {
          f.kind = shape.kind[slot];
          f.start = p + shapeStart[slot] + shift;
          f.end = p + shapeEnd[slot] + shift;
          f.plain = shape.plain[slot] === 1;
        }
        continue;
      }
      f.kind = shape.fieldKind[j];
      f.start = p + shape.fieldA[j] + shift;
      const last = shape.fieldD[j];
      for (; c < changed && changedSlot[c] < last; c++) {
        const s = changedSlot[c];
        shift += changedEnd[c] - changedStart[c] - (shapeEnd[s] - shapeStart[s]);
      }
      f.end = p + shape.fieldC[j] + shift;
      f.plain = false;
    }
    this.annotations = shape.annotations;
    const limits = this.limits;
    if (limits !== null) {
      limits.key = shape.limitsKey;
      limits.heads.length = 0;
      for (let h = 0; h < shape.heads.length; h++) {
        const after = shape.headsAfter[h];
        let shift = 0;
        for (let c = 0; c < changed && changedSlot[c] < after; c++) {
          const s = changedSlot[c];
          shift += changedEnd[c] - changedStart[c] - (shapeEnd[s] - shapeStart[s]);
        }
        limits.heads.push(p + shape.heads[h] + shift);
      }
    }
    return q;
  }

  #take(f: Field, start: number, end: number): void {
    f.kind = this.#kind;
    f.start = start;
    f.end = end;
    f.plain = this.#plain;
  }

  /** A string at `p` (its opening quote). */
  #string(p: number): number {
    const buf = this.buf, n = this.#n;
    let plain = true;
    p++;
    for (;;) {
      while (p < n && PLAIN[buf[p]] === 1) p++;
      if (p >= n) return -1;
      const c = buf[p];
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        plain = false;
        if (p + 1 >= n) return -1;
        const e = buf[p + 1];
        if (
          e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e ||
          e === 0x72 || e === 0x74
        ) {
          p += 2;
        } else if (e === 0x75) {
          // JSON.stringify writes \u00xx only for control characters without a short form.
          if (p + 5 >= n || buf[p + 2] !== ZERO || buf[p + 3] !== ZERO) return -1;
          const hi = hexLower(buf[p + 4]), lo = hexLower(buf[p + 5]);
          if (hi < 0 || hi > 1 || lo < 0) return -1;
          const code = hi * 16 + lo;
          if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13) return -1;
          p += 6;
        } else return -1;
      } else if (c < 0x20) {
        return -1;
      } else if (c >= 0xc2 && c <= 0xdf) {
        // UTF-8, well-formed only (TextDecoder would replace anything else).
        if (p + 1 >= n || (buf[p + 1] & 0xc0) !== 0x80) return -1;
        p += 2;
      } else if (c >= 0xe0 && c <= 0xef) {
        if (p + 2 >= n) return -1;
        const c1 = buf[p + 1];
        if ((c1 & 0xc0) !== 0x80 || (buf[p + 2] & 0xc0) !== 0x80) return -1;
        if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return -1;
        p += 3;
      } else if (c >= 0xf0 && c <= 0xf4) {
        if (p + 3 >= n) return -1;
        const c1 = buf[p + 1];
        if (
          (c1 & 0xc0) !== 0x80 || (buf[p + 2] & 0xc0) !== 0x80 || (buf[p + 3] & 0xc0) !== 0x80
        ) return -1;
        if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return -1;
        p += 4;
      } else return -1;
    }
    this.#kind = STRING;
    this.#plain = plain;
    return p + 1;
  }

  /** A number at `p` in the form JSON.stringify writes. */
  #number(p: number): number {
    const buf = this.buf, n = this.#n, start = p;
    if (buf[p] === MINUS) p++;
    if (buf[p] === ZERO) p++;
    else if (buf[p] > ZERO && buf[p] <= NINE) {
      while (p < n && buf[p] >= ZERO && buf[p] <= NINE) p++;
    } else return -1;
    let simple = buf[start] !== MINUS && p - start <= 15;
    if (buf[p] === DOT) {
      simple = false;
      const digits = ++p;
      while (p < n && buf[p] >= ZERO && buf[p] <= NINE) p++;
      if (p === digits) return -1;
    }
    if (buf[p] === 0x65 || buf[p] === 0x45) {
      simple = false;
      p++;
      if (buf[p] === 0x2b || buf[p] === MINUS) p++;
      const digits = p;
      while (p < n && buf[p] >= ZERO && buf[p] <= NINE) p++;
      if (p === digits) return -1;
    }
    if (p >= n) return -1; // a number never ends a record
    if (!simple) {
      const text = decoder.decode(buf.subarray(start, p));
      const value = Number(text);
      if (!Number.isFinite(value) || String(value) !== text || Object.is(value, -0)) return -1;
    }
    this.#kind = NUMBER;
    this.#plain = false;
    return p;
  }

  #literal(p: number, a: number, b: number, c: number, d: number, e: number): number {
    const buf = this.buf;
    if (buf[p + 1] !== a || buf[p + 2] !== b || buf[p + 3] !== c) return -1;
    if (e < 0) return p + 4;
    return buf[p + 4] === d ? p + 5 : -1;
  }

  /** Any value at `p`. */
  #value(p: number): number {
    const c = this.buf[p];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (this.#depth >= MAX_DEPTH) return -1;
      this.#depth++;
      const end = c === OPEN_BRACE ? this.#object(p, ANY) : this.#array(p);
      this.#depth--;
      this.#kind = c === OPEN_BRACE ? OBJECT : ARRAY;
      this.#plain = false;
      return end;
    }
    const end = this.#scalar(p, c);
    if (this.#slots >= 0 && end >= 0) {
      // Recording the record's shape: this value is one of its slots.
      const k = this.#slots;
      if (k === MAX_SLOTS) this.#slots = -1;
      else {
        this.#slotStart[k] = p;
        this.#slotEnd[k] = end;
        this.#slotKind[k] = this.#kind;
        this.#slotPlain[k] = this.#plain ? 1 : 0;
        this.#slots = k + 1;
      }
    }
    return end;
  }

  /** A string, number, true, false or null at `p`, whose first byte is `c`. */
  #scalar(p: number, c: number): number {
    let end: number;
    if (c === QUOTE) return this.#string(p);
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      return this.#number(p);
    } else if (c === 0x74) { // true
      end = this.#literal(p, 0x72, 0x75, 0x65, 0, -1);
      this.#kind = TRUE;
    } else if (c === 0x66) { // false
      end = this.#literal(p, 0x61, 0x6c, 0x73, 0x65, 0);
      this.#kind = FALSE;
    } else if (c === 0x6e) { // null
      end = this.#literal(p, 0x75, 0x6c, 0x6c, 0, -1);
      this.#kind = NULL;
    } else return -1;
    this.#plain = false;
    return end;
  }

  #array(p: number): number {
    const buf = this.buf, n = this.#n;
    p++;
    if (buf[p] === CLOSE_BRACKET) return p + 1;
    for (;;) {
      p = this.#value(p);
      if (p < 0 || p >= n) return -1;
      if (buf[p] === CLOSE_BRACKET) return p + 1;
      if (buf[p] !== COMMA) return -1;
      p++;
    }
  }

  /** The `annotations` array at `p`: notes the first kind, waitTime and initTime. */
  #annotationList(p: number): number {
    const buf = this.buf, n = this.#n, key = this.#annKey, value = this.#annValue;
    p++;
    if (buf[p] === CLOSE_BRACKET) return p + 1;
    for (;;) {
      if (buf[p] === OPEN_BRACE) {
        key.start = value.start = -1;
        p = this.#object(p, ANNOTATION);
        if (p < 0) return -1;
        if (key.start >= 0 && key.kind === STRING) {
          const s = key.start + 1, e = key.end - 1;
          const target = this.#is(s, e, W_WAIT_TIME)
            ? this.wait
            : this.#is(s, e, W_INIT_TIME)
            ? this.init
            : this.#is(s, e, W_KIND)
            ? this.kind
            : null;
          if (target !== null && target.start === -1) {
            if (value.start >= 0) {
              target.kind = value.kind;
              target.start = value.start;
              target.end = value.end;
              target.plain = value.plain;
            } else target.start = -2;
          }
        }
      } else {
        p = this.#value(p);
      }
      if (p < 0 || p >= n) return -1;
      if (buf[p] === CLOSE_BRACKET) return p + 1;
      if (buf[p] !== COMMA) return -1;
      p++;
    }
  }

  /** An object at `p`; `role` says which members to note. */
  #object(p: number, role: number): number {
    const buf = this.buf, n = this.#n, from = this.#keyTop;
    const limits = this.limits;
    p++;
    if (buf[p] === CLOSE_BRACE) {
      this.#kind = OBJECT;
      return p + 1;
    }
    for (;;) {
      if (buf[p] !== QUOTE) break;
      const colon = this.#key(p, from);
      if (colon < 0) break;
      const ks = p + 1, kl = colon - 1 - ks, v = colon + 1;
      let end = -1;
      if (role === RECORD) {
        if (kl === 11 && this.#is(ks, ks + kl, W_ANNOTATIONS)) {
          if (buf[v] !== OPEN_BRACKET) break;
          this.annotations = true;
          end = this.#annotationList(v);
        } else if (kl === 8 && this.#is(ks, ks + kl, W_RESPONSE)) {
          if (buf[v] !== OPEN_BRACE) break;
          end = this.#object(v, RESPONSE);
        } else if (kl === 10 && this.#is(ks, ks + kl, W_STATUS_CODE)) {
          break; // a list's summary: its status is read from the code by the full parser
        } else {
          end = this.#value(v);
          if (end >= 0) {
            const f = kl === 12 && this.#is(ks, ks + kl, W_ACTIVATION_ID)
              ? this.id
              : kl === 4 && this.#is(ks, ks + kl, W_NAME)
              ? this.name
              : kl === 5 && this.#is(ks, ks + kl, W_START)
              ? this.start
              : kl === 3 && this.#is(ks, ks + kl, W_END)
              ? this.end
              : kl === 8 && this.#is(ks, ks + kl, W_DURATION)
              ? this.duration
              : null;
            if (f !== null) this.#take(f, v, end);
          }
        }
      } else if (role === ANNOTATION) {
        end = this.#value(v);
        if (end >= 0) {
          if (kl === 3 && this.#is(ks, ks + kl, W_KEY)) {
            this.#take(this.#annKey, v, end);
            // Which annotation this is depends on the key's value: the shape keeps it as is.
            const k = this.#slots;
            if (k > 0 && this.#slotStart[k - 1] === v) this.#slots = k - 1;
          } else if (kl === 5 && this.#is(ks, ks + kl, W_VALUE)) this.#take(this.#annValue, v, end);
        }
      } else if (role === RESPONSE) {
        // A stored activation document's response: its status is read from the code by the
        // full parser (the API's records carry `success` and `status` instead).
        if (kl === 10 && this.#is(ks, ks + kl, W_STATUS_CODE)) break;
        if (kl === 6 && this.#is(ks, ks + kl, W_RESULT) && buf[v] === OPEN_BRACE) {
          this.error.start = -1;
          end = this.#object(v, RESULT);
        } else end = this.#value(v);
        if (end >= 0) {
          const f = kl === 6 && this.#is(ks, ks + kl, W_RESULT)
            ? this.result
            : kl === 6 && this.#is(ks, ks + kl, W_STATUS)
            ? this.status
            : kl === 7 && this.#is(ks, ks + kl, W_SUCCESS)
            ? this.success
            : null;
          if (f !== null) this.#take(f, v, end);
        }
      } else {
        end = this.#value(v);
        if (role === RESULT && end >= 0 && kl === 5 && this.#is(ks, ks + kl, W_ERROR)) {
          this.#take(this.error, v, end);
        }
      }
      if (end < 0 || end >= n) break;
      // Only a value of 8 bytes (`"limits"`) can be part of the pattern.
      if (limits !== null && end - v === 8) this.#noteLimits(v, end);
      p = end;
      if (buf[p] === CLOSE_BRACE) {
        this.#keyTop = from;
        this.#kind = OBJECT;
        this.#plain = false;
        return p + 1;
      }
      if (buf[p] !== COMMA) break;
      p++;
    }
    this.#keyTop = from;
    return -1;
  }

  /**
   * The key at `p` of an object whose keys so far are `keys[from..]`: the index of the colon
   * after it, or -1 if it is not canonical, looks like an array index or repeats a key.
   */
  #key(p: number, from: number): number {
    const buf = this.buf;
    const end = this.#string(p);
    if (end < 0 || buf[end] !== COLON) return -1;
    const first = buf[p + 1];
    if (first >= ZERO && first <= NINE) return -1;
    const keys = this.#keys, top = this.#keyTop, len = end - p;
    for (let k = from; k < top; k += 2) {
      const other = keys[k];
      if (keys[k + 1] - other !== len) continue;
      let j = 1;
      while (j < len - 1 && buf[other + j] === buf[p + j]) j++;
      if (j === len - 1) return -1;
    }
    keys[top] = p;
    keys[top + 1] = end;
    this.#keyTop = top + 2;
    return end;
  }

  /**
   * Notes the member value `[v, end)` (8 bytes) where it is the `"limits"` of the pattern's
   * text, and the head that ends at the next member's `{` where that member is `"value":{`:
   * noted here, before any head nested in that object, so that heads come in text order.
   */
  #noteLimits(v: number, end: number): void {
    const buf = this.buf, limits = this.limits!;
    if (buf[v] !== QUOTE || v - 6 < this.#from || !this.#is(v - 6, end, LIMITS_KEY)) return;
    limits.key = true;
    if (this.#is(end, end + VALUE_HEAD.length, VALUE_HEAD)) {
      limits.heads.push(end + VALUE_HEAD.length - 1);
    }
  }

  /** Whether the bytes of `[start, end)` spell the ASCII `word`. */
  #is(start: number, end: number, word: Uint8Array): boolean {
    if (end - start !== word.length) return false;
    const buf = this.buf;
    for (let k = 0; k < word.length; k++) if (buf[start + k] !== word[k]) return false;
    return true;
  }
}
