// Sign-offs and late changes as Rust sends them, for the review tests.

import type { LateChange, Signoff } from "./types";

export function signoff(o: Partial<Signoff> = {}): Signoff {
  return {
    id: 1,
    wallet_id: 1,
    wallet_name: "EUR main",
    currency: "EUR",
    through: "2026-03-31",
    zone: "Europe/Amsterdam",
    from: null,
    period_end_utc: "2026-03-31T22:00:00Z",
    closing_balance: "10.00",
    balance_source: "reported",
    note: null,
    forced: false,
    breaks_at_signoff: 0,
    signed_by: "alice",
    signed_at_utc: "2026-04-02T10:00:00Z",
    signed_at: "2026-04-02 12:00 Europe/Amsterdam",
    supersedes: null,
    superseded_by: null,
    resolves: [],
    open_late_changes: 0,
    ...o,
  };
}

export function lateChange(o: Partial<LateChange> = {}): LateChange {
  return {
    id: 7,
    wallet_id: 1,
    wallet_name: "EUR main",
    currency: "EUR",
    transaction_id: 42,
    record_id: "tx-42",
    kind: "changed",
    occurred_at: "2026-03-10 10:00:00 Europe/Amsterdam",
    occurred_at_utc: "2026-03-10T09:00:00Z",
    before: { amount: "12.50", fee: "0.10", status: "pending", balance: "100.00", raw: "{}" },
    after: { amount: "12.50", fee: "0.10", status: "completed", balance: "100.00", raw: "{}" },
    detected_at: "2026-04-05 11:00:00 Europe/Amsterdam",
    run_id: 3,
    signoff_id: 1,
    resolved_by_signoff: null,
    acknowledged_note: null,
    acknowledged_by: null,
    acknowledged_at: null,
    open: true,
    ...o,
  };
}
