import { describe, expect, it } from "vitest";
import { clampSelection, countSelected, emptySelection, extendTo, isSelected, positions, selectOne, toggleRow } from "./selection";

describe("history selection", () => {
  it("starts empty and selects one row", () => {
    expect(countSelected(emptySelection())).toBe(0);
    const s = selectOne(4);
    expect(positions(s)).toEqual([4]);
    expect(s.cursor).toBe(4);
  });

  it("extends from the anchor in either direction", () => {
    const down = extendTo(selectOne(3), 6);
    expect(positions(down)).toEqual([3, 4, 5, 6]);
    const up = extendTo(down, 1);
    expect(positions(up)).toEqual([1, 2, 3]);
    expect(up.anchor).toBe(3);
  });

  it("keeps a huge range as one range", () => {
    const s = extendTo(selectOne(0), 999_999);
    expect(s.ranges).toEqual([[0, 999_999]]);
    expect(countSelected(s)).toBe(1_000_000);
    expect(positions(s, 3)).toEqual([0, 1, 2]);
  });

  it("toggles single rows in and out, merging neighbours", () => {
    let s = toggleRow(selectOne(2), 3);
    expect(s.ranges).toEqual([[2, 3]]);
    s = toggleRow(s, 7);
    expect(positions(s)).toEqual([2, 3, 7]);
    s = toggleRow(extendTo(selectOne(0), 4), 2);
    expect(positions(s)).toEqual([0, 1, 3, 4]);
    expect(isSelected(s, 2)).toBe(false);
  });

  it("clamps to a shorter list", () => {
    const s = clampSelection(extendTo(selectOne(5), 20), 10);
    expect(s.ranges).toEqual([[5, 9]]);
    expect(s.cursor).toBe(9);
    expect(countSelected(clampSelection(s, 0))).toBe(0);
  });
});
