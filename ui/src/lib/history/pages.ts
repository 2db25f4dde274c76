// Sparse pages of one history order: page k holds rows [k * size, (k + 1) * size).
// A page after a known one is fetched by keyset from that page's cursor; any
// other page (a scrollbar jump) is one seek to its first position. Pages far
// from the viewport are dropped to bound memory; their cursors are kept, so
// fetching one again is a keyset request too.

import type { HistoryPage } from "../bindings/HistoryPage";
import type { HistoryRow } from "../bindings/HistoryRow";

/** The page after `cursor` (null: the first page). */
export type Fetch = (cursor: string | null) => Promise<HistoryPage>;
/** The page starting at row `position`. */
export type Seek = (position: number) => Promise<HistoryPage>;

export class PageMap {
  #rows = new Map<number, HistoryRow[]>();
  /** next.get(k): the cursor after page k (null after the last page). */
  #next = new Map<number, string | null>();
  /** Rows in the list, once a page has come back as the last one. */
  end: number | null = null;
  /** One past the furthest row fetched so far. */
  reach = 0;
  readonly size: number;
  readonly fetch: Fetch;
  readonly seek: Seek;

  constructor(size: number, fetch: Fetch, seek: Seek) {
    this.size = size;
    this.fetch = fetch;
    this.seek = seek;
  }

  /** Row i, if its page is in memory. */
  row(i: number): HistoryRow | undefined {
    return this.#rows.get(Math.floor(i / this.size))?.[i % this.size];
  }

  /** Replace rows in memory (an annotation saved on the Rust side); `change` returns the row itself to keep it. */
  update(change: (row: HistoryRow) => HistoryRow): void {
    for (const rows of this.#rows.values()) rows.forEach((r, i) => (rows[i] = change(r)));
  }

  /** Whether page k is in memory. */
  has(k: number): boolean {
    return this.#rows.has(k);
  }

  /** How page k would be fetched: "first", "after" page k - 1's cursor, or "seek". */
  route(k: number): "first" | "after" | "seek" {
    if (k === 0) return "first";
    return typeof this.#next.get(k - 1) === "string" ? "after" : "seek";
  }

  /** Fetch page k with one request; returns how many rows it holds. */
  async load(k: number): Promise<number> {
    const route = this.route(k);
    const page =
      route === "first" ? await this.fetch(null) : route === "after" ? await this.fetch(this.#next.get(k - 1) as string) : await this.seek(k * this.size);
    this.#rows.set(k, page.rows);
    this.#next.set(k, page.next_cursor);
    const stop = k * this.size + page.rows.length;
    this.reach = Math.max(this.reach, stop);
    if (page.next_cursor === null && (page.rows.length > 0 || k === 0)) this.end = stop;
    return page.rows.length;
  }

  /** Keep at most `keep` pages in memory, those nearest row i. */
  trim(i: number, keep: number): void {
    if (this.#rows.size <= keep) return;
    const centre = Math.floor(i / this.size);
    const held = [...this.#rows.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const k of held.slice(0, held.length - keep)) this.#rows.delete(k);
  }
}
