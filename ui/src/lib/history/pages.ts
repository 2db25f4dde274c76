// One direction of keyset paging (from the top, or from the bottom in the
// reverse order): fixed-size pages, each with the cursor that follows it, so
// a page whose rows were dropped to save memory can be fetched again alone.

import type { HistoryPage } from "../bindings/HistoryPage";
import type { HistoryRow } from "../bindings/HistoryRow";

export type Fetch = (cursor: string | null) => Promise<HistoryPage>;

export class PageRun {
  #pages: (HistoryRow[] | null)[] = [];
  /** cursors[k]: the cursor after page k (null after the last page). */
  #cursors: (string | null)[] = [];
  /** Rows covered by the pages fetched so far (dropped ones included). */
  count = 0;
  done = false;
  readonly pageSize: number;
  readonly fetch: Fetch;

  constructor(pageSize: number, fetch: Fetch) {
    this.pageSize = pageSize;
    this.fetch = fetch;
  }

  get started(): boolean {
    return this.#pages.length > 0;
  }

  /** Row j of this run, if its page is in memory. */
  row(j: number): HistoryRow | undefined {
    return this.#pages[Math.floor(j / this.pageSize)]?.[j % this.pageSize];
  }

  /** Whether row j is covered by a fetched page whose rows were dropped. */
  dropped(j: number): boolean {
    return j < this.count && this.#pages[Math.floor(j / this.pageSize)] === null;
  }

  /** Fetch the next page; false at the end. */
  async extend(): Promise<boolean> {
    if (this.done) return false;
    const page = await this.fetch(this.#cursors.at(-1) ?? null);
    this.#pages.push(page.rows);
    this.#cursors.push(page.next_cursor);
    this.count += page.rows.length;
    this.done = page.next_cursor === null || page.rows.length === 0;
    return page.rows.length > 0;
  }

  /** Fetch again the page that holds row j. */
  async refetch(j: number): Promise<void> {
    const k = Math.floor(j / this.pageSize);
    const page = await this.fetch(k === 0 ? null : this.#cursors[k - 1]);
    this.#pages[k] = page.rows;
  }

  /** Keep at most `keep` pages in memory, those nearest row j. */
  trim(j: number, keep: number): void {
    const held = this.#pages.map((p, k) => (p ? k : -1)).filter((k) => k >= 0);
    if (held.length <= keep) return;
    const centre = Math.floor(j / this.pageSize);
    held.sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const k of held.slice(0, held.length - keep)) this.#pages[k] = null;
  }
}
