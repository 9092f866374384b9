/**
 * The CSV importers' fields (ingest/formats/csv_query.ts): on plain text the fields are read
 * without stripping, the DECIMAL test or JSON's escapes, and must come out as the careful
 * reading gives them.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import pl from "nodejs-polars";
import { csvFields, csvShape, dividedBy } from "../ingest/formats/csv_query.ts";
import { sebsCsvFrame } from "../ingest/formats/sebs.ts";

const encoder = new TextEncoder();

Deno.test("csvShape().plain takes printable ASCII and line breaks, not what a field could hide", () => {
  for (const text of ["a,b\n1,2\n", "a,b\r\n1,2\r\n", "a,b\n,\n1e-5,x_y\n", ""]) {
    assert.equal(csvShape(encoder.encode(text)).plain, true, JSON.stringify(text));
  }
  const hiding = [" 1", "1\t", '"a"', "a\\b", "+5", "1e+5", "\u00e9", "\u00a05", "a\rb", "a\u0001"];
  for (const field of hiding) {
    assert.equal(csvShape(encoder.encode(`a,b\n1,${field}\n`)).plain, false, JSON.stringify(field));
  }
});

Deno.test("csvFields() on plain text gives the careful reading's texts, numbers, flags and records", () => {
  // Every field plain; numbers polars' cast reads differently from DECIMAL where any could be.
  const numbers = [
    "1",
    "-0",
    "1.5e3",
    "1E-5",
    ".5",
    "5.",
    "1e400",
    "inf",
    "-inf",
    "NaN",
    "Infinity",
    "abc",
    "",
    "1.2.3",
    "0x1",
    "1e",
    "e5",
    ".",
    "-",
    "1_000",
    "12abc",
    "--5",
  ];
  const text = "n,flag,t\n" +
    numbers.map((n, i) => `${n},${["True", "false", "TRUE", "", "x"][i % 5]},t${i % 3 || ""}`)
      .join("\n") +
    "\n";
  const bytes = encoder.encode(text);
  assert.equal(csvShape(bytes).plain, true);
  const raw = pl.readCSV(Buffer.from(bytes), { hasHeader: true, inferSchemaLength: 0 });
  const header = raw.columns;
  const uses = { texts: ["t"], numbers: ["n"], flags: ["flag"] };
  const read = (plain: boolean, missing?: string[]) => {
    const f = csvFields(header, uses, { plain, missing });
    return f.steps.filter((s) => s.length > 0).reduce((q, s) => q.withColumns(...s), raw.lazy())
      .select(
        f.text("t").alias("text"),
        f.number("n").alias("number"),
        f.flag("flag").alias("flag"),
        f.record({ missingAsEmpty: true }).alias("empty"),
        f.record({ missingAsEmpty: false }).alias("null"),
      ).collectSync().toRecords();
  };
  const plain = read(true);
  assert.deepEqual(plain, read(false));
  // Told which columns have a missing field, the same.
  const missing = header.filter((h) => raw.getColumn(h).nullCount() > 0);
  assert.deepEqual(missing, ["n", "flag"]);
  assert.deepEqual(read(true, missing), plain);
  // The careful reading is the line reader's: JSON.stringify of the fields as read.
  assert.deepEqual(plain.slice(0, 4).map((r) => r.number), [1, -0, 1500, 0.00001]);
  assert.deepEqual(plain.slice(6).map((r) => r.number), numbers.slice(6).map(() => null));
  assert.equal(plain[3].empty, JSON.stringify({ n: "1E-5", flag: "", t: "t" }));
  assert.equal(plain[3].null, '{"n":"1E-5","flag":null,"t":"t"}');
});

Deno.test("a CSV whose header names a column twice is refused naming the line, plain or not", async () => {
  for (const space of ["", " "]) {
    const text = "memory,type,is_cold,exec_time,connection_time,client_time,provider_time," +
      `mem_used,note,note\n256,warm,False,805,0.0016,63454,56549,44.8,a,b${space}\n`;
    const bytes = encoder.encode(text);
    assert.equal(csvShape(bytes).plain, space === "");
    await assert.rejects(
      sebsCsvFrame(bytes, "result.csv", async function* () {
        yield bytes;
      }),
      /^SyntaxError: result.csv line 1: the header names "note" twice$/,
    );
  }
});

Deno.test("dividedBy() divides as JS's `/` does, in a column of one row or of many", () => {
  // Polars' division by a number multiplies by its reciprocal: 689 of these 5,000 differ.
  const us = Array.from({ length: 5000 }, (_, i) => i * 7 + 1);
  for (const n of [1, 2, 5000]) {
    const got = pl.DataFrame({ us: us.slice(0, n) }).lazy()
      .select(dividedBy(pl.col("us").cast(pl.Float64), 1000).alias("ms")).collectSync()
      .getColumn("ms").toArray();
    assert.deepEqual(got, us.slice(0, n).map((u) => u / 1000));
  }
  assert.equal(938 / 1000, 0.938);
});

Deno.test("csvShape() counts the commas outside quoted fields and finds a quoted line break", () => {
  const shape = (text: string) => csvShape(encoder.encode(text));
  assert.deepEqual(shape("a,b\r\n1,2\r\n"), { plain: true, commas: 2, quotedBreak: false });
  // A quote opens a field only at its start; inside one, a doubled quote is one.
  assert.deepEqual(shape('a,b\n1,x"y,z\n'), { plain: false, commas: 3, quotedBreak: false });
  assert.deepEqual(shape('a,b\n"x"",",2\n'), { plain: false, commas: 2, quotedBreak: false });
  assert.deepEqual(shape('a,b\n1,"x\r\ny"\n'), { plain: false, commas: 2, quotedBreak: true });
  // A line short of a field: one comma fewer than the header's for each line polars reads.
  assert.deepEqual(shape("a,b,c\n1,2\n 1,2,3\n"), { plain: false, commas: 5, quotedBreak: false });
});
