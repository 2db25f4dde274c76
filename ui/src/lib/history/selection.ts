// The history table's selection: a set of row positions kept as sorted,
// disjoint ranges (a Shift+End over a million rows is one range, not a
// million entries), with the anchor a Shift extension grows from and the
// cursor row that the keyboard moves.

export type Range = [number, number]; // inclusive

export interface Selection {
  /** The row the keyboard is on (-1: none). */
  cursor: number;
  /** Where a Shift extension starts. */
  anchor: number;
  ranges: Range[];
}

export function emptySelection(): Selection {
  return { cursor: -1, anchor: -1, ranges: [] };
}

/** Only row i. */
export function selectOne(i: number): Selection {
  return { cursor: i, anchor: i, ranges: i < 0 ? [] : [[i, i]] };
}

/** Rows from the anchor to i (Shift+click, Shift+arrows); other ranges are dropped. */
export function extendTo(s: Selection, i: number): Selection {
  const anchor = s.anchor < 0 ? i : s.anchor;
  return { cursor: i, anchor, ranges: [[Math.min(anchor, i), Math.max(anchor, i)]] };
}

/** Add row i or take it out (Ctrl/Cmd+click); it becomes the anchor. */
export function toggleRow(s: Selection, i: number): Selection {
  if (isSelected(s, i)) {
    const ranges: Range[] = [];
    for (const [a, b] of s.ranges) {
      if (i < a || i > b) ranges.push([a, b]);
      else {
        if (a <= i - 1) ranges.push([a, i - 1]);
        if (i + 1 <= b) ranges.push([i + 1, b]);
      }
    }
    return { cursor: i, anchor: i, ranges };
  }
  return { cursor: i, anchor: i, ranges: normalise([...s.ranges, [i, i]]) };
}

export function isSelected(s: Selection, i: number): boolean {
  return s.ranges.some(([a, b]) => i >= a && i <= b);
}

/** How many rows are selected. */
export function countSelected(s: Selection): number {
  return s.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
}

/** Every selected position, in order (at most `limit`). */
export function positions(s: Selection, limit = Infinity): number[] {
  const out: number[] = [];
  for (const [a, b] of s.ranges) for (let i = a; i <= b && out.length < limit; i++) out.push(i);
  return out;
}

/** Clamp to a list of `total` rows. */
export function clampSelection(s: Selection, total: number): Selection {
  if (total <= 0) return emptySelection();
  const last = total - 1;
  const ranges = s.ranges.filter(([a]) => a <= last).map(([a, b]): Range => [a, Math.min(b, last)]);
  return { cursor: Math.min(s.cursor, last), anchor: Math.min(s.anchor, last), ranges };
}

function normalise(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const [a, b] of sorted) {
    const prev = out[out.length - 1];
    if (prev && a <= prev[1] + 1) prev[1] = Math.max(prev[1], b);
    else out.push([a, b]);
  }
  return out;
}
