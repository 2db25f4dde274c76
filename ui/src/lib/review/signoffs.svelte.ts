// Sign-offs and open late changes, shared by the Wallets, Reconciliation
// and Summaries screens (and refreshed after a sync).

import { showError } from "../errors.svelte";
import { api } from "../ipc";
import type { LateChange, Signoff } from "./types";

export const review = $state<{ signoffs: Signoff[]; late: LateChange[]; loaded: boolean }>({
  signoffs: [],
  late: [],
  loaded: false,
});

/** Read sign-offs and open late changes again. */
export async function loadReview(): Promise<void> {
  try {
    const [signoffs, late] = await Promise.all([api.listSignoffs(), api.listLateChanges()]);
    review.signoffs = signoffs;
    review.late = late;
    review.loaded = true;
  } catch (e) {
    showError(e);
  }
}

/** The wallet's latest live sign-off (latest date), if any. */
export function lastSignoff(signoffs: Signoff[], walletId: number): Signoff | undefined {
  let best: Signoff | undefined;
  for (const s of signoffs) if (s.wallet_id === walletId && (!best || s.through_date > best.through_date)) best = s;
  return best;
}

/**
 * Whether a local period [start, end] (YYYY-MM-DD, inclusive) of a wallet is
 * covered by a sign-off: its last day is on or before the latest sign-off's date.
 */
export function coveredBy(signoffs: Signoff[], walletId: number, end: string): Signoff | undefined {
  const last = lastSignoff(signoffs, walletId);
  return last && end.slice(0, 10) <= last.through_date ? last : undefined;
}

/** The before and after of a late change, one line per field that differs (or all for a new/removed row). */
export function changedFields(c: LateChange): { field: string; before: string | null; after: string | null }[] {
  const fields: ["amount" | "fee" | "status" | "balance", string][] = [
    ["amount", "Amount"],
    ["fee", "Fee"],
    ["status", "Status"],
    ["balance", "Balance"],
  ];
  return fields
    .filter(([k]) => c.kind !== "changed" || c.before[k] !== c.after[k])
    .map(([k, label]) => ({ field: label, before: c.before[k], after: c.after[k] }));
}

/** The last day of the previous month in local time, YYYY-MM-DD (a sign-off's usual date). */
export function endOfLastMonth(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), 0);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
