// Sign-offs and open late changes, shared by the Wallets, Reconciliation
// and Summaries screens (and refreshed after a sync).

import { showError } from "../errors.svelte";
import { api } from "../ipc";
import { localZone } from "../time";
import type { LateChange, Signoff, VerifyReport } from "./types";

export const review = $state<{ signoffs: Signoff[]; late: LateChange[]; loaded: boolean }>({
  signoffs: [],
  late: [],
  loaded: false,
});

/** Read sign-offs and open late changes again. */
export async function loadReview(): Promise<void> {
  try {
    const [signoffs, late] = await Promise.all([
      api.listSignoffs(),
      api.listLateChanges({ wallet_id: null, include_resolved: false, zone: localZone() }),
    ]);
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
  for (const s of signoffs) if (s.wallet_id === walletId && !s.superseded_by && (!best || s.through > best.through)) best = s;
  return best;
}

/** The sign-off a late change broke (to re-sign the same date in the same zone). */
export function signoffOf(signoffs: Signoff[], change: LateChange): Signoff | undefined {
  return signoffs.find((s) => s.id === change.signoff_id) ?? lastSignoff(signoffs, change.wallet_id);
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

/** One sentence about a verification of the signed-off periods. */
export function verifyMessage(r: VerifyReport): string {
  const n = r.wallets.length;
  const wallets = `${n} signed-off ${n === 1 ? "wallet" : "wallets"}`;
  const failed = r.wallets.filter((w) => w.error);
  const fails = failed.length ? ` ${failed.map((w) => `${w.connection} (${w.provider_wallet_id}): ${w.error}`).join(" ")}` : "";
  if (r.late_changes === 0) return `Checked ${wallets} with the providers: nothing changed.${fails}`;
  return `Checked ${wallets}: ${r.late_changes} late ${r.late_changes === 1 ? "change" : "changes"} found.${fails}`;
}
