import { describe, expect, it } from "vitest";
import { historyRow } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";
import type { HistoryQuery } from "../bindings/HistoryQuery";
import { HistoryStore, PAGE } from "./store.svelte";

/** A backend of `n` rows (id = position in descending order) with keyset cursors. */
function backend(n: number) {
  const pages: string[] = [];
  mockCommands({
    history_count: () => n,
    history_page: (a) => {
      const q = a.query as HistoryQuery;
      const start = q.cursor === null ? 0 : Number(q.cursor) + 1;
      const ids = Array.from({ length: Math.max(0, Math.min(q.limit, n - start)) }, (_, k) => start + k);
      const rows = ids.map((k) => historyRow(q.order === "desc" ? k : n - 1 - k));
      const last = ids.at(-1);
      pages.push(`${q.order}:${start}`);
      return { rows, next_cursor: last === undefined || last === n - 1 ? null : String(last), total: null, zone: "UTC" };
    },
  });
  return pages;
}

describe("HistoryStore", () => {
  it("reaches both ends of a long list with one page each", async () => {
    const pages = backend(100_000);
    const s = new HistoryStore();
    await s.reload();
    expect(s.total).toBe(100_000);
    expect(s.rowAt(0)?.id).toBe(0);
    await s.ensure(99_990, 100_000);
    expect(s.rowAt(99_999)?.id).toBe(99_999);
    expect(pages).toEqual(["desc:0", "asc:0"]);
  });

  it("keeps memory bounded and fetches dropped pages again", async () => {
    const pages = backend(200 * PAGE);
    const s = new HistoryStore();
    await s.reload();
    await s.ensure(60 * PAGE, 60 * PAGE + 10); // walks 60 pages from the top
    expect(s.rowAt(60 * PAGE)?.id).toBe(60 * PAGE);
    expect(s.rowAt(0)).toBeUndefined(); // dropped
    const before = pages.length;
    await s.ensure(0, 10);
    expect(s.rowAt(0)?.id).toBe(0);
    expect(pages.length).toBe(before + 1);
  });

  it("short lists need no count", async () => {
    const pages = backend(7);
    const s = new HistoryStore();
    await s.reload();
    expect(s.total).toBe(7);
    expect(pages).toEqual(["desc:0"]);
  });
});
