// Helpers for the export screen (pure, tested without a DOM).

import type { HistoryFilter } from "../bindings/HistoryFilter";
import type { Wallet } from "../bindings/Wallet";

const iso = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

/** The previous calendar month, as local YYYY-MM-DD days. */
export function lastMonth(today: Date = new Date()): { from: string; to: string } {
  const first = new Date(today.getFullYear(), today.getMonth() - 1, 1);
  const last = new Date(today.getFullYear(), today.getMonth(), 0);
  return { from: iso(first), to: iso(last) };
}

/** The history filter in words ("All transactions", "Debits in EUR, from 2025-01-01"). */
export function filterSummary(f: HistoryFilter, wallets: Wallet[]): string {
  const parts: string[] = [];
  if (f.wallet_ids.length) {
    const names = f.wallet_ids.map((id) => wallets.find((w) => w.id === id)?.name ?? `wallet ${id}`);
    parts.push(names.join(", "));
  }
  if (f.currencies.length) parts.push(`in ${f.currencies.join(", ")}`);
  if (f.statuses.length) parts.push(f.statuses.join(", "));
  if (f.from) parts.push(`from ${f.from}`);
  if (f.to) parts.push(`to ${f.to}`);
  if (f.min_amount) parts.push(`at least ${f.min_amount}`);
  if (f.max_amount) parts.push(`at most ${f.max_amount}`);
  if (f.text) parts.push(`matching “${f.text}”`);
  const what = f.direction === "credit" ? "Credits" : f.direction === "debit" ? "Debits" : "All transactions";
  return parts.length ? `${what}: ${parts.join(", ")}` : what;
}

let intent: "statement" | "history" | null = null;

/** Ask the export screen to open in a mode (read once, when it opens). */
export function requestExportMode(mode: "statement" | "history"): void {
  intent = mode;
}

export function takeExportMode(): "statement" | "history" {
  const m = intent ?? "statement";
  intent = null;
  return m;
}
