// The running sync, kept outside the screen so it survives navigation.

import type { OverallProgress } from "../bindings/OverallProgress";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncReport } from "../bindings/SyncReport";
import { showError } from "../errors.svelte";
import { api } from "../ipc";
import { loadReview } from "../review/signoffs.svelte";

export const sync = $state<{
  running: boolean;
  /** What runs: a connection's name, or null for everything. */
  target: string | null;
  cancelling: boolean;
  progress: Record<string, SyncProgress>;
  /** Wallets finished per connection in this sync. Wallets of one
   * connection may sync concurrently, so the last event's index alone
   * would make the bar jump back and forth. */
  finished: Record<string, number>;
  /** The whole sync as the last event saw it (every connection of the run). */
  overall: OverallProgress | null;
  report: SyncReport | null;
}>({ running: false, target: null, cancelling: false, progress: {}, finished: {}, overall: null, report: null });

/** Share of a connection's work done, 0 to 1: from the count of finished
 * wallets when it is known, else from the last event's position. */
export function fraction(p: SyncProgress | undefined, finishedWallets?: number): number {
  if (!p) return 0;
  if (p.phase === "done") return 1;
  if (p.wallet_count === 0) return p.phase === "discovering" || p.phase === "preparing" ? 0.05 : 0.02;
  const finished = finishedWallets ?? (p.phase === "wallet_done" ? p.wallet_index : p.wallet_index - 1);
  return Math.max(0.05, Math.min(1, finished / p.wallet_count));
}

/** Record one progress event of the running sync. */
export function recordProgress(p: SyncProgress): void {
  sync.progress[p.connection] = p;
  // The engine never lowers the share; keep it so even if events crossed.
  if (!sync.overall || p.overall.done >= sync.overall.done) sync.overall = p.overall;
  if (p.phase === "wallet_done") sync.finished[p.connection] = (sync.finished[p.connection] ?? 0) + 1;
}

/** One line saying where a connection's sync stands. */
export function describe(p: SyncProgress | undefined): string {
  if (!p) return "Waiting…";
  const counts = `${p.pages} ${p.pages === 1 ? "page" : "pages"}, ${p.records} ${p.records === 1 ? "record" : "records"}`;
  switch (p.phase) {
    case "connecting":
      return "Connecting…";
    case "discovering":
      return "Finding wallets…";
    case "preparing":
      return "The provider is preparing the history; other connections sync meanwhile…";
    case "waiting":
      return p.wallet
        ? `Wallet ${p.wallet_index} of ${p.wallet_count} (${p.wallet}): waiting for another Walletbook that is syncing it…`
        : "Waiting for another Walletbook that is syncing this account…";
    case "wallet":
      return `Wallet ${p.wallet_index} of ${p.wallet_count} (${p.wallet ?? ""}): ${counts}`;
    case "wallet_done":
      return `Wallet ${p.wallet_index} of ${p.wallet_count} done: ${counts}`;
    case "done":
      return "Finished";
  }
}

export async function runSync(connection: string | null, onDone?: () => void): Promise<void> {
  if (sync.running) return;
  sync.running = true;
  sync.target = connection;
  sync.cancelling = false;
  sync.progress = {};
  sync.finished = {};
  sync.overall = null;
  sync.report = null;
  try {
    sync.report = await api.syncRun({ connection, wallet: null, full: false }, recordProgress);
  } catch (e) {
    showError(e);
  } finally {
    sync.running = false;
    // A sync may have found late changes in signed-off periods.
    void loadReview();
    onDone?.();
  }
}

/** "about 12 s left", "about 3 min left", or "estimating…" while there is no basis. */
export function timeLeft(seconds: number | null): string {
  if (seconds === null) return "estimating…";
  if (seconds < 60) return `about ${seconds} s left`;
  return `about ${Math.ceil(seconds / 60)} min left`;
}

/** Where the whole sync stands: running, stopping (cancel asked), cancelled or finished. */
export type OverallState = "running" | "stopping" | "cancelled" | "finished";

/** The state of the whole sync, from the store. */
export function overallState(): OverallState {
  if (sync.running) return sync.cancelling ? "stopping" : "running";
  return sync.report?.cancelled ? "cancelled" : "finished";
}

/** After the share: the time left, or how the sync ended. */
export function overallTail(o: OverallProgress, state: OverallState): string {
  const took = Math.round(o.elapsed_ms / 1000);
  switch (state) {
    case "running":
      return timeLeft(o.seconds_left);
    case "stopping":
      return "stopping…";
    case "cancelled":
      return `cancelled after ${took} s`;
    case "finished":
      return `took ${took} s`;
  }
}

/** The whole sync in one line, e.g. "45% · 2 of 5 connections, 7 of 15 wallets done · about 12 s left". */
export function describeOverall(o: OverallProgress, state: OverallState): string {
  const counts = `${o.connections_done} of ${o.connections} ${o.connections === 1 ? "connection" : "connections"}, ${o.wallets_done} of ${o.wallets} ${o.wallets === 1 ? "wallet" : "wallets"} done`;
  return `${Math.floor(o.done * 100)}% · ${counts} · ${overallTail(o, state)}`;
}

export async function cancelSync(): Promise<void> {
  sync.cancelling = true;
  try {
    await api.syncCancel();
  } catch (e) {
    showError(e);
  }
}

const STATUS_LABELS: Record<string, string> = {
  ok: "Synced",
  failed: "Failed",
  cancelled: "Cancelled",
  skipped: "Skipped",
  running: "Running",
  partial: "Partial",
};

/** A sync status as a word people use ("Synced", "Failed"). */
export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}
