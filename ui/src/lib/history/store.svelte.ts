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
import { PageRun } from "./pages";

export const PAGE = 500;
/** Pages kept in memory per end (the rest are fetched again when needed). */
const KEEP = 40;

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

  /** Rows covered from the top and from the bottom. */
  headCount = $state(0);
  tailCount = $state(0);
  /** Rows matching the filter; null until counted. */
  total = $state<number | null>(null);
  loading = $state(false);
  error = $state<IpcError | null>(null);
  /** Milliseconds the first page took (for the performance check). */
  firstPageMs = $state<number | null>(null);
  /** Bumped whenever rows arrive or are dropped. */
  #version = $state(0);

  #head = this.#run("head");
  #tail = this.#run("tail");
  #generation = 0;
  #busy = false;
  #want: [number, number] = [0, 0];

  #run(end: "head" | "tail"): PageRun {
    return new PageRun(PAGE, async (cursor) => {
      const order: SortOrder = end === "head" ? this.order : this.order === "desc" ? "asc" : "desc";
      return api.historyPage(this.#query(order, cursor, false));
    });
  }

  /** Rows the table can lay out: the count, or what is known so far. */
  get size(): number {
    if (this.total !== null) return this.total;
    return this.headCount + (this.#head.done ? 0 : PAGE);
  }

  rowAt(i: number): HistoryRow | undefined {
    void this.#version;
    if (i < this.headCount) return this.#head.row(i);
    if (this.total !== null && i >= this.total - this.tailCount) return this.#tail.row(this.total - 1 - i);
    return undefined;
  }

  /** Publish the runs' counts; re-render rows only when `rowsChanged`. */
  #sync(rowsChanged = true): void {
    this.headCount = this.#head.count;
    this.tailCount = this.#tail.count;
    if (this.#head.done) this.total = this.#head.count;
    if (rowsChanged) this.#version++;
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
    this.#head = this.#run("head");
    this.#tail = this.#run("tail");
    this.headCount = 0;
    this.tailCount = 0;
    this.total = null;
    this.error = null;
    this.loading = true;
    const started = performance.now();
    try {
      // The first page alone first: it is what the user waits for. The count
      // (a scan of every match) follows.
      const head = this.#head;
      await head.extend();
      if (gen !== this.#generation) return;
      this.#sync();
      this.firstPageMs = performance.now() - started;
      // Read by the e2e performance test.
      (globalThis as { __historyFirstPageMs?: number }).__historyFirstPageMs = this.firstPageMs;
      if (head.done) return;
      const n = await api.historyCount($state.snapshot(this.filter), this.zone);
      if (gen === this.#generation) this.total = n;
    } catch (e) {
      if (gen === this.#generation) this.error = showError(e);
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }

  /**
   * Make sure rows [from, to) are in memory: fetch dropped pages again, or
   * extend from the nearer end. At most KEEP pages per end stay in memory.
   */
  async ensure(from: number, to: number): Promise<void> {
    this.#want = [from, to];
    if (this.#busy) return;
    this.#busy = true;
    const gen = this.#generation;
    const head = this.#head;
    const tail = this.#tail;
    try {
      for (let i = this.#firstMissing(); i >= 0 && gen === this.#generation; ) {
        const total = this.total;
        const j = total === null ? -1 : total - 1 - i;
        if (head.dropped(i)) await head.refetch(i);
        else if (j >= 0 && tail.dropped(j)) await tail.refetch(j);
        else {
          const [wantFrom, wantTo] = this.#want;
          const fromHead = wantFrom - head.count;
          const fromTail = total === null ? Infinity : total - tail.count - wantTo;
          const useHead = total === null || fromHead <= fromTail || tail.done;
          if (!(await (useHead ? head : tail).extend())) break;
        }
        if (gen !== this.#generation) break;
        head.trim(this.#want[0], KEEP);
        if (total !== null) tail.trim(total - 1 - this.#want[1], KEEP);
        // Pages on the way to a far row are not on screen: no re-render for them.
        this.#sync(false);
        const next = this.#firstMissing();
        if (next !== i) this.#version++;
        i = next;
      }
    } catch (e) {
      if (gen === this.#generation) this.error = showError(e);
    } finally {
      this.#busy = false;
    }
  }

  #firstMissing(): number {
    const [from, to] = this.#want;
    const end = Math.min(to, this.size);
    for (let i = Math.max(0, from); i < end; i++) if (!this.rowAt(i)) return i;
    return -1;
  }
}

/** The one history the app shows; the export screen reads its filter. */
export const history = new HistoryStore();
