// The rows of the history table, fetched by keyset pages on demand. Pages are
// loaded from the top (the chosen order) and from the bottom (the reverse
// order), so both ends of a million-row list are one page away; rows between
// are fetched page by page from the nearer end while they are on screen.

import type { HistoryFilter } from "../bindings/HistoryFilter";
import type { HistoryQuery } from "../bindings/HistoryQuery";
import type { HistoryRow } from "../bindings/HistoryRow";
import type { SortKey } from "../bindings/SortKey";
import type { SortOrder } from "../bindings/SortOrder";
import { showError } from "../errors.svelte";
import { api, IpcError } from "../ipc";

export const PAGE = 500;

export function emptyFilter(): HistoryFilter {
  return {
    connection_ids: [],
    providers: [],
    wallet_ids: [],
    currencies: [],
    direction: null,
    statuses: [],
    from: null,
    to: null,
    min_amount: null,
    max_amount: null,
    text: null,
  };
}

export class HistoryStore {
  filter = $state<HistoryFilter>(emptyFilter());
  sort = $state<SortKey>("time");
  order = $state<SortOrder>("desc");
  zone = $state<string | null>(null);

  /** Rows loaded from the top and from the bottom. */
  headCount = $state(0);
  tailCount = $state(0);
  // Full pages of PAGE rows (the last may be short); tail pages in reverse order.
  #head: HistoryRow[][] = [];
  #tail: HistoryRow[][] = [];
  /** Rows matching the filter; null until counted. */
  total = $state<number | null>(null);
  loading = $state(false);
  error = $state<IpcError | null>(null);
  /** Milliseconds the first page took (for the performance check). */
  firstPageMs = $state<number | null>(null);

  #headCursor: string | null = null;
  #tailCursor: string | null = null;
  #headDone = false;
  #tailStarted = false;
  #generation = 0;
  #busy = false;
  #want: [number, number] = [0, 0];

  /** Rows the table can lay out: the count, or what is known so far. */
  get size(): number {
    if (this.total !== null) return this.total;
    return this.headCount + (this.#headDone ? 0 : PAGE);
  }

  rowAt(i: number): HistoryRow | undefined {
    if (i < this.headCount) return this.#head[Math.floor(i / PAGE)][i % PAGE];
    if (this.total !== null && i >= this.total - this.tailCount) {
      const j = this.total - 1 - i;
      return this.#tail[Math.floor(j / PAGE)][j % PAGE];
    }
    return undefined;
  }

  #query(order: SortOrder, cursor: string | null, withTotal: boolean): HistoryQuery {
    return {
      filter: $state.snapshot(this.filter),
      sort: this.sort,
      order,
      cursor,
      limit: PAGE,
      zone: this.zone,
      with_total: withTotal,
    };
  }

  /** Start over with the current filter and sort. */
  async reload(): Promise<void> {
    const gen = ++this.#generation;
    this.#head = [];
    this.#tail = [];
    this.headCount = 0;
    this.tailCount = 0;
    this.total = null;
    this.error = null;
    this.#headCursor = null;
    this.#tailCursor = null;
    this.#headDone = false;
    this.#tailStarted = false;
    this.loading = true;
    const started = performance.now();
    try {
      // The first page alone first: it is what the user waits for. The count
      // (a scan of every match) follows.
      const page = await api.historyPage(this.#query(this.order, null, false));
      if (gen !== this.#generation) return;
      this.#head = [page.rows];
      this.headCount = page.rows.length;
      this.#headCursor = page.next_cursor;
      this.#headDone = page.next_cursor === null;
      this.firstPageMs = performance.now() - started;
      // Read by the e2e performance test.
      (globalThis as { __historyFirstPageMs?: number }).__historyFirstPageMs = this.firstPageMs;
      if (this.#headDone) {
        this.total = page.rows.length;
        return;
      }
      const n = await api.historyCount($state.snapshot(this.filter), this.zone);
      if (gen === this.#generation) this.total = n;
    } catch (e) {
      if (gen === this.#generation) this.error = showError(e);
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }

  /** Make sure rows [from, to) are loaded, fetching pages from the nearer end. */
  async ensure(from: number, to: number): Promise<void> {
    this.#want = [from, to];
    if (this.#busy) return;
    this.#busy = true;
    const gen = this.#generation;
    try {
      while (gen === this.#generation && this.#missing(...this.#want)) {
        const [from, to] = this.#want;
        const total = this.total;
        const fromHead = from - this.headCount;
        const fromTail = total === null ? Infinity : total - this.tailCount - to;
        if (total === null || fromHead <= fromTail || this.#tailDone()) {
          if (!(await this.#more("head", gen))) break;
        } else if (!(await this.#more("tail", gen))) break;
      }
    } catch (e) {
      if (gen === this.#generation) this.error = showError(e);
    } finally {
      this.#busy = false;
    }
  }

  #tailDone(): boolean {
    return this.#tailStarted && this.#tailCursor === null;
  }

  #missing(from: number, to: number): boolean {
    const end = Math.min(to, this.size);
    for (let i = Math.max(0, from); i < end; i++) if (!this.rowAt(i)) return true;
    return false;
  }

  async #more(end: "head" | "tail", gen: number): Promise<boolean> {
    if (end === "head") {
      if (this.#headDone) return false;
      const page = await api.historyPage(this.#query(this.order, this.#headCursor, false));
      if (gen !== this.#generation) return false;
      this.#head.push(page.rows);
      this.headCount += page.rows.length;
      this.#headCursor = page.next_cursor;
      this.#headDone = page.next_cursor === null;
      if (this.#headDone) this.total = this.headCount;
      return page.rows.length > 0;
    }
    if (this.#tailDone()) return false;
    const reverse: SortOrder = this.order === "desc" ? "asc" : "desc";
    const page = await api.historyPage(this.#query(reverse, this.#tailCursor, false));
    if (gen !== this.#generation) return false;
    this.#tailStarted = true;
    this.#tail.push(page.rows);
    this.tailCount += page.rows.length;
    this.#tailCursor = page.next_cursor;
    return page.rows.length > 0;
  }
}

/** The one history the app shows; the export screen reads its filter. */
export const history = new HistoryStore();
