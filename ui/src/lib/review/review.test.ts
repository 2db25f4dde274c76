import { describe, expect, it } from "vitest";
import type { HistoryRow } from "../bindings/HistoryRow";
import { reviewIntent } from "./rows";
import { changedFields, coveredBy, endOfLastMonth, lastSignoff } from "./signoffs.svelte";
import type { LateChange, Signoff } from "./types";

const signoff = (o: Partial<Signoff>): Signoff => ({
  id: 1,
  wallet_id: 1,
  wallet_name: "EUR main",
  currency: "EUR",
  through_date: "2026-03-31",
  zone: "Europe/Amsterdam",
  closing_balance: "10.00",
  balance_source: "reported",
  note: null,
  forced: false,
  signed_by: "alice",
  signed_at: "2026-04-02T10:00:00Z",
  open_changes: 0,
  resolves: [],
  ...o,
});

const change = (o: Partial<LateChange>): LateChange => ({
  id: 7,
  wallet_id: 1,
  wallet_name: "EUR main",
  currency: "EUR",
  transaction_id: 42,
  record_id: "tx-42",
  kind: "changed",
  occurred_at: "2026-03-10T09:00:00Z",
  before: { amount: "12.50", fee: "0.10", status: "pending", balance: "100.00" },
  after: { amount: "12.50", fee: "0.10", status: "completed", balance: "100.00" },
  detected_at: "2026-04-05T09:00:00Z",
  signoff_id: 1,
  through_date: "2026-03-31",
  zone: "Europe/Amsterdam",
  ...o,
});

describe("review helpers", () => {
  it("Space unmarks only when every selected row is reviewed", () => {
    const row = (reviewed: boolean) => ({ id: 1, reviewed, tags: [], note: null }) as unknown as HistoryRow;
    expect(reviewIntent([row(true), row(true)])).toBe("unmark");
    expect(reviewIntent([row(true), row(false)])).toBe("mark");
    expect(reviewIntent([])).toBe("mark");
  });

  it("finds a wallet's latest sign-off and the periods it covers", () => {
    const all = [signoff({ id: 1 }), signoff({ id: 2, through_date: "2026-04-30" }), signoff({ id: 3, wallet_id: 2, through_date: "2026-06-30" })];
    expect(lastSignoff(all, 1)?.id).toBe(2);
    expect(lastSignoff(all, 9)).toBeUndefined();
    expect(coveredBy(all, 1, "2026-04-30")?.id).toBe(2);
    expect(coveredBy(all, 1, "2026-05-31")).toBeUndefined();
  });

  it("lists only the fields a change touched, every field of a new row", () => {
    expect(changedFields(change({}))).toEqual([{ field: "Status", before: "pending", after: "completed" }]);
    const added = change({ kind: "new", before: { amount: null, fee: null, status: null, balance: null } });
    expect(changedFields(added).map((f) => f.field)).toEqual(["Amount", "Fee", "Status", "Balance"]);
  });

  it("proposes the end of last month", () => {
    expect(endOfLastMonth(new Date(2026, 2, 15))).toBe("2026-02-28");
    expect(endOfLastMonth(new Date(2026, 0, 3))).toBe("2025-12-31");
  });
});
