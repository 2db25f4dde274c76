// The rows of the history table, fetched in fixed pages on demand while they
// are on screen. Any page is one request away: the page after a known one by
// keyset, any other (a scrollbar jump to the middle of a million rows) by one
// seek to its position, after which paging continues by keyset.

import type { HistoryFilter } from "../bindings/HistoryFilter";
import type { HistoryQuery } from "../bindings/HistoryQuery";
import type { HistoryRow } from "../bindings/HistoryRow";
import type { SortKey } from "../bindings/SortKey";
import type { SortOrder } from "../bindings/SortOrder";
import { showError } from "../errors.svelte";
import { api, IpcError } from "../ipc";
import { PageMap } from "./pages";

export const PAGE = 500;
/** Pages kept in memory (the rest are fetched again when needed). */
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
    tags: [],
    has_note: false,
    not_reviewed: false,
  };
}

export class HistoryStore {
  filter = $state<HistoryFilter>(emptyFilter());
  sort = $state<SortKey>("time");
  order = $state<SortOrder>("desc");
  zone = $state<string | null>(null);

  /** One past the furthest row fetched so far. */
  headCount = $state(0);
  /** Rows matching the filter; null until counted. */
  total = $state<number | null>(null);
  loading = $state(false);
  error = $state<IpcError | null>(null);
  /** Milliseconds the first page took (for the performance check). */
  firstPageMs = $state<number | null>(null);
  /** Bumped whenever rows arrive or are dropped. */
  #version = $state(0);

  #pages = this.#map();
  #generation = 0;
  #busy = false;
  #want: [number, number] = [0, 0];

  #map(): PageMap {
    return new PageMap(
      PAGE,
      (cursor) => api.historyPage(this.#query(cursor)),
      (position) => api.historySeek(this.#query(null), position),
    );
  }

  /** Rows the table can lay out: the count, or what is known so far. */
  get size(): number {
    if (this.total !== null) return this.total;
    return this.#pages.end ?? this.headCount + PAGE;
  }

  rowAt(i: number): HistoryRow | undefined {
    void this.#version;
    return this.#pages.row(i);
  }

  /**
   * The rows at these positions, fetching the pages not in memory (one
   * request each). Used for a multi-row selection that reaches past the
   * rows on screen.
   */
  async rowsAt(positions: number[]): Promise<HistoryRow[]> {
    const gen = this.#generation;
    const pages = this.#pages;
    const out: HistoryRow[] = [];
    for (const i of positions) {
      let r = pages.row(i);
      if (!r) {
        await pages.load(Math.floor(i / PAGE));
        if (gen !== this.#generation) return [];
        r = pages.row(i);
      }
      if (r) out.push(r);
    }
    this.#sync();
    return out;
  }

  /** Change the rows with these ids in memory (after Rust saved the change); each becomes a new object so the table redraws it. */
  patch(ids: Iterable<number>, change: (row: HistoryRow) => void): void {
    const wanted = new Set(ids);
    this.#pages.update((r) => {
      if (!wanted.has(r.id)) return r;
      const copy = { ...r };
      change(copy);
      return copy;
    });
    this.#version++;
  }

  /** Publish what the pages know and re-render the rows. */
  #sync(): void {
    this.headCount = this.#pages.reach;
    if (this.#pages.end !== null) this.total = this.#pages.end;
    this.#version++;
  }

  #query(cursor: string | null): HistoryQuery {
    return {
      filter: $state.snapshot(this.filter),
      sort: this.sort,
      order: this.order,
      cursor,
      limit: PAGE,
      zone: this.zone,
      with_total: false,
    };
  }

  /** Start over with the current filter and sort. */
  async reload(): Promise<void> {
    const gen = ++this.#generation;
    this.#pages = this.#map();
    this.headCount = 0;
    this.total = null;
    this.error = null;
    this.loading = true;
    const started = performance.now();
    try {
      // The first page alone first: it is what the user waits for. The count
      // (a scan of every match) follows.
      const pages = this.#pages;
      await pages.load(0);
      if (gen !== this.#generation) return;
      this.#sync();
      this.firstPageMs = performance.now() - started;
      // Read by the e2e performance test.
      (globalThis as { __historyFirstPageMs?: number }).__historyFirstPageMs = this.firstPageMs;
      if (pages.end !== null) return;
      const n = await api.historyCount($state.snapshot(this.filter), this.zone);
      if (gen === this.#generation) this.total = n;
    } catch (e) {
      if (gen === this.#generation) this.error = showError(e);
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }

  /**
   * Make sure rows [from, to) are in memory, one request per missing page
   * (a far jump is one seek). At most KEEP pages stay in memory.
   */
  async ensure(from: number, to: number): Promise<void> {
    this.#want = [from, to];
    if (this.#busy) return;
    this.#busy = true;
    const gen = this.#generation;
    const pages = this.#pages;
    try {
      for (let k = this.#firstMissing(); k >= 0 && gen === this.#generation; k = this.#firstMissing()) {
        const rows = await pages.load(k);
        if (gen !== this.#generation) break;
        pages.trim(this.#want[0], KEEP);
        this.#sync();
        if (rows === 0) break;
      }
    } catch (e) {
      if (gen === this.#generation) this.error = showError(e);
    } finally {
      this.#busy = false;
    }
  }

  /** The first page that the wanted rows need and memory lacks, or -1. */
  #firstMissing(): number {
    const [from, to] = this.#want;
    const end = Math.min(to, this.size);
    for (let k = Math.floor(Math.max(0, from) / PAGE); k * PAGE < end; k++) if (!this.#pages.has(k)) return k;
    return -1;
  }
}

/** The one history the app shows; the export screen reads its filter. */
export const history = new HistoryStore();
