import { describe, expect, it } from "vitest";
import type { HistoryRow } from "../bindings/HistoryRow";
import { reviewIntent } from "./rows";
import { lateChange as change, signoff } from "./fixtures";
import { previewOf } from "./preview";
import { changedFields, endOfLastMonth, lastSignoff, signoffOf, verifyMessage } from "./signoffs.svelte";

describe("review helpers", () => {
  it("Space unmarks only when every selected row is reviewed", () => {
    const row = (reviewed: boolean) => ({ id: 1, reviewed, tags: [], note: null }) as unknown as HistoryRow;
    expect(reviewIntent([row(true), row(true)])).toBe("unmark");
    expect(reviewIntent([row(true), row(false)])).toBe("mark");
    expect(reviewIntent([])).toBe("mark");
  });

  it("finds a wallet's latest sign-off and the one a change broke", () => {
    const all = [signoff({ id: 1 }), signoff({ id: 2, through: "2026-04-30" }), signoff({ id: 3, wallet_id: 2, through: "2026-06-30" })];
    expect(lastSignoff(all, 1)?.id).toBe(2);
    expect(lastSignoff(all, 9)).toBeUndefined();
    expect(signoffOf(all, change({ signoff_id: 1 }))?.through).toBe("2026-03-31");
  });

  it("says what a verification found, naming a wallet that failed", () => {
    const w = { wallet_id: 1, connection: "Flex", provider: "flexprice" as const, provider_wallet_id: "w-1", currency: "EUR", through_utc: "", date_filtered: true, records_fetched: 9, late_changes: 0, status: "ok" as const, error: null };
    expect(verifyMessage({ wallets: [w], late_changes: 0 })).toBe("Checked 1 signed-off wallet with the providers: nothing changed.");
    expect(verifyMessage({ wallets: [w, { ...w, error: "timed out" }], late_changes: 2 })).toBe("Checked 2 signed-off wallets: 2 late changes found. Flex (w-1): timed out");
  });

  it("previews the closing balance and the breaks in the period only", () => {
    const row = (utc: string) => ({ occurred_at_utc: utc });
    const summary = { rows: [{ closing: { amount: "10.50", source: "reported" } }] };
    const rec = { wallets: [{ breaks: [{ rows: [row("2026-03-31T22:30:00Z")] }, { rows: [row("2026-03-15T10:00:00Z")] }, { rows: [row("2026-02-10T10:00:00Z")] }] }] };
    // 22:30 UTC on 31 March is 1 April in Amsterdam: outside a period through 31 March.
    const p = previewOf(summary as never, rec as never, "Europe/Amsterdam", "2026-03-31", "2026-02-28");
    expect(p).toEqual({ closing_balance: "10.50", balance_source: "reported", breaks: 1 });
    expect(previewOf({ rows: [] } as never, { wallets: [] } as never, "UTC", "2026-03-31", null)).toEqual({ closing_balance: null, balance_source: "derived", breaks: 0 });
  });

  it("lists only the fields a change touched, every field of a new row", () => {
    expect(changedFields(change({}))).toEqual([{ field: "Status", before: "pending", after: "completed" }]);
    const added = change({ kind: "new", before: { amount: null, fee: null, status: null, balance: null, raw: null } });
    expect(changedFields(added).map((f) => f.field)).toEqual(["Amount", "Fee", "Status", "Balance"]);
  });

  it("proposes the end of last month", () => {
    expect(endOfLastMonth(new Date(2026, 2, 15))).toBe("2026-02-28");
    expect(endOfLastMonth(new Date(2026, 0, 3))).toBe("2025-12-31");
  });
});
