// The sign-off dialog's preview: the closing balance at the end of the
// chosen day (from the summary of everything up to it) and the unexplained
// breaks with a row in the period since the previous sign-off (from
// reconciliation), both computed in Rust; here they are only read.

import type { Reconciliation } from "../bindings/Reconciliation";
import type { Summary } from "../bindings/Summary";
import { api } from "../ipc";
import type { SignoffPreview } from "./types";

/** The local day (YYYY-MM-DD) of a UTC instant in a zone. */
export function localDay(utc: string, zone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(utc));
}

/** Read the preview out of a summary and a reconciliation of one wallet. */
export function previewOf(summary: Summary, rec: Reconciliation, zone: string, through: string, after: string | null): SignoffPreview {
  const closing = summary.rows[summary.rows.length - 1]?.closing ?? null;
  const inPeriod = (utc: string) => {
    const day = localDay(utc, zone);
    return day <= through && (after === null || day > after);
  };
  const breaks = rec.wallets.reduce((n, w) => n + w.breaks.filter((b) => b.rows.some((r) => inPeriod(r.occurred_at_utc))).length, 0);
  return {
    closing_balance: closing?.amount ?? null,
    balance_source: closing?.source === "reported" ? "reported" : "derived",
    breaks,
  };
}

/** The preview of signing `walletId` off through `through` (local in `zone`); `after` is the previous sign-off's date. */
export async function loadPreview(walletId: number, through: string, zone: string, after: string | null): Promise<SignoffPreview> {
  const [summary, rec] = await Promise.all([
    api.summarise({ period: "whole", zone, from: null, to: through, wallet_ids: [walletId], connection_ids: [], providers: [], currencies: [] }),
    api.reconcile({ wallet_ids: [walletId], zone, max_listed: 100_000 }),
  ]);
  return previewOf(summary, rec, zone, through, after);
}
