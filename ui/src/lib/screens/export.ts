// Helpers for the export screen (pure, tested without a DOM).

import type { ExportFormat } from "../bindings/ExportFormat";
import type { HistoryFilter } from "../bindings/HistoryFilter";
import type { Wallet } from "../bindings/Wallet";

/** What the export screen writes: one statement, every wallet's, or the history view. */
export type ExportMode = "statement" | "statements" | "history";

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

/** The formats a choice can be written as (a history is no PDF; a combined file is no CSV). */
export function formatsFor(mode: ExportMode, combined: boolean): { value: ExportFormat; label: string }[] {
  const all: { value: ExportFormat; label: string }[] = [
    { value: "csv", label: "CSV (any spreadsheet or tool)" },
    { value: "xlsx", label: "Excel workbook (XLSX)" },
    { value: "pdf", label: "PDF statement" },
  ];
  if (mode === "history") return all.filter((f) => f.value !== "pdf");
  if (mode === "statements" && combined) return all.filter((f) => f.value !== "csv");
  return all;
}

/** The name the save dialog suggests ("statement-Main-EUR-2025-01-01-to-2025-01-31.pdf"). */
export function defaultFileName(c: { mode: ExportMode; format: ExportFormat; wallet?: Wallet; from: string; to: string }, today = new Date()): string {
  if (c.mode === "history") return `walletbook-history-${iso(today)}.${c.format}`;
  if (c.mode === "statements") return `statements-${c.from}-to-${c.to}.${c.format}`;
  const w = (c.wallet?.name ?? c.wallet?.provider_wallet_id ?? "wallet").replace(/[^\w.-]+/g, "-");
  return `statement-${w}-${c.from}-to-${c.to}.${c.format}`;
}

let intent: ExportMode | null = null;

/** Ask the export screen to open in a mode (read once, when it opens). */
export function requestExportMode(mode: ExportMode): void {
  intent = mode;
}

export function takeExportMode(): ExportMode {
  const m = intent ?? "statement";
  intent = null;
  return m;
}
