import { describe, expect, it } from "vitest";
import { historyRow } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";
import type { HistoryQuery } from "../bindings/HistoryQuery";
import { HistoryStore, PAGE } from "./store.svelte";

/**
 * A backend of `n` rows (id = position in the order) with keyset cursors and
 * seeks; returns the log of requests: "page:START" (by cursor) or "seek:POSITION".
 */
function backend(n: number) {
  const log: string[] = [];
  const slice = (q: HistoryQuery, start: number) => {
    const ids = Array.from({ length: Math.max(0, Math.min(q.limit, n - start)) }, (_, k) => start + k);
    const last = ids.at(-1);
    return { rows: ids.map((k) => historyRow(k)), next_cursor: last === undefined || last === n - 1 ? null : String(last), total: null, zone: "UTC" };
  };
  mockCommands({
    history_count: () => n,
    history_page: (a) => {
      const q = a.query as HistoryQuery;
      const start = q.cursor === null ? 0 : Number(q.cursor) + 1;
      log.push(`page:${start}`);
      return slice(q, start);
    },
    history_seek: (a) => {
      const position = a.position as number;
      log.push(`seek:${position}`);
      return slice(a.query as HistoryQuery, position);
    },
  });
  return log;
}

describe("HistoryStore", () => {
  it("jumps to the middle of a million rows with one seek, then pages on by keyset", async () => {
    const log = backend(1_000_000);
    const s = new HistoryStore();
    await s.reload();
    expect(s.total).toBe(1_000_000);
    expect(log).toEqual(["page:0"]);
    await s.ensure(500_010, 500_040);
    expect(s.rowAt(500_010)?.id).toBe(500_010);
    expect(log).toEqual(["page:0", `seek:${500_000}`]);
    // Scrolling on crosses into the next page: a keyset request from the seek's cursor.
    await s.ensure(500_000 + PAGE - 10, 500_000 + PAGE + 20);
    expect(s.rowAt(500_000 + PAGE + 5)?.id).toBe(500_000 + PAGE + 5);
    expect(log.at(-1)).toBe(`page:${500_000 + PAGE}`);
    // Scrolling back above the jump: the page before is one seek.
    await s.ensure(499_990, 500_010);
    expect(s.rowAt(499_995)?.id).toBe(499_995);
    expect(log.at(-1)).toBe(`seek:${500_000 - PAGE}`);
    expect(log.length).toBe(4);
  });

  it("reaches the end of a long list with one request", async () => {
    const log = backend(100_000);
    const s = new HistoryStore();
    await s.reload();
    await s.ensure(99_990, 100_000);
    expect(s.rowAt(99_999)?.id).toBe(99_999);
    expect(log).toEqual(["page:0", `seek:${100_000 - PAGE}`]);
  });

  it("keeps memory bounded and fetches dropped pages again by keyset", async () => {
    const log = backend(200 * PAGE);
    const s = new HistoryStore();
    await s.reload();
    for (let k = 1; k <= 60; k++) await s.ensure(k * PAGE, k * PAGE + 10);
    expect(log.every((r) => r.startsWith("page:"))).toBe(true); // walked by cursor, no seeks
    expect(s.rowAt(60 * PAGE)?.id).toBe(60 * PAGE);
    expect(s.rowAt(0)).toBeUndefined(); // dropped
    expect(s.rowAt(10 * PAGE)).toBeUndefined(); // dropped
    await s.ensure(10 * PAGE, 10 * PAGE + 10);
    expect(s.rowAt(10 * PAGE)?.id).toBe(10 * PAGE);
    expect(log.at(-1)).toBe(`page:${10 * PAGE}`); // page 9's cursor was kept
    await s.ensure(0, 10);
    expect(s.rowAt(0)?.id).toBe(0);
    expect(log.at(-1)).toBe("page:0");
  });

  it("short lists need no count", async () => {
    const log = backend(7);
    const s = new HistoryStore();
    await s.reload();
    expect(s.total).toBe(7);
    expect(log).toEqual(["page:0"]);
  });

  it("a reload drops what an older jump brings back", async () => {
    const log = backend(50_000);
    const s = new HistoryStore();
    await s.reload();
    const jump = s.ensure(30_000, 30_010);
    const again = s.reload();
    await Promise.all([jump, again]);
    expect(s.rowAt(30_000)).toBeUndefined();
    expect(s.rowAt(0)?.id).toBe(0);
    expect(log).toContain("seek:30000");
  });
});
