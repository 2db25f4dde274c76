// What the history table shows of a row's annotations (reviewed mark, tags,
// note), read from the row Rust sends.

import type { HistoryRow } from "../bindings/HistoryRow";

export function isReviewed(r: HistoryRow): boolean {
  return r.reviewed;
}

export function rowTags(r: HistoryRow): string[] {
  return r.tags;
}

export function rowNote(r: HistoryRow): string | null {
  return r.note;
}

/** Set the reviewed flag of a row held in memory. */
export function setReviewed(r: HistoryRow, on: boolean): void {
  r.reviewed = on;
}

/** Set a row's tags and note as held in memory. */
export function setAnnotations(r: HistoryRow, tags: string[], note: string | null): void {
  r.tags = tags;
  r.note = note;
}

/** Space on a selection: unmark when every selected row is reviewed, else mark them all. */
export function reviewIntent(rows: HistoryRow[]): "mark" | "unmark" {
  return rows.length > 0 && rows.every(isReviewed) ? "unmark" : "mark";
}

