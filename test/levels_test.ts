import assert from "node:assert/strict";
import { levelRange, MAX_LEVELS, parseLevels, shownLevels } from "../pipeline/levels.ts";

Deno.test("parseLevels() reads N, A-B and lists of levels and ranges, sorted, each once", () => {
  assert.deepEqual(parseLevels("3", "x"), [1, 2, 3]);
  assert.deepEqual(parseLevels(" 15 ", "x"), levelRange(15));
  assert.deepEqual(parseLevels("2-4", "x"), [2, 3, 4]);
  assert.deepEqual(parseLevels("5 - 5", "x"), [5]);
  assert.deepEqual(parseLevels("1,3,5-7", "x"), [1, 3, 5, 6, 7]);
  assert.deepEqual(parseLevels(" 9, 1 ,5", "x"), [1, 5, 9]);
  assert.deepEqual(parseLevels("2,1-3", "x"), [1, 2, 3]);
  assert.deepEqual(parseLevels(4, "x"), [1, 2, 3, 4]);
  assert.deepEqual(parseLevels([7, 2], "x"), [2, 7]);
});

Deno.test("parseLevels() rejects anything else with a RangeError naming where and the value", () => {
  const bad: unknown[] = [
    0,
    -1,
    1.5,
    "",
    " ",
    "abc",
    "0",
    "1-x",
    "4-2",
    "1,,2",
    "1,",
    "1-2-3",
    "1.5",
    "-3",
    [],
    [0],
    ["1"],
    [1.5],
    null,
    undefined,
    { n: 1 },
    true,
    `1-${MAX_LEVELS + 1}`,
  ];
  for (const value of bad) {
    assert.throws(() => parseLevels(value, "--levels"), RangeError, JSON.stringify(value));
  }
  assert.throws(
    () => parseLevels("1-x", "WHISKBENCH_LEVELS"),
    {
      name: "RangeError",
      message: 'Cannot read levels from WHISKBENCH_LEVELS: "1-x", expected N (levels 1-N), ' +
        "A-B or a list like 1,3,5-7 of positive integers",
    },
  );
  assert.throws(() => parseLevels("4-2", "--levels"), /4-2 runs backwards/);
});

Deno.test("shownLevels() writes a run as A-B and anything else as a list", () => {
  assert.equal(shownLevels([1, 2, 3]), "1-3");
  assert.equal(shownLevels([1, 2, 4]), "1, 2, 4");
  assert.equal(shownLevels([7]), "7");
});
