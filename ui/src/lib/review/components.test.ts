// The review workflow's pieces with the IPC mocked: Space marks a selection,
// the sign-off dialog asks for a note when breaks exist, the late-change
// banner shows before and after and acknowledges with a note.

import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { historyRow, wallet } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";
import { clearBanners } from "../errors.svelte";
import { history } from "../history/store.svelte";
import History from "../screens/History.svelte";
import LateChanges from "./LateChanges.svelte";
import SignoffDialog from "./SignoffDialog.svelte";
import { review } from "./signoffs.svelte";
import { lateChange } from "./fixtures";

beforeEach(() => {
  clearBanners();
  history.headCount = 0;
  review.late = [];
  review.signoffs = [];
});

describe("History review marks", () => {
  it("Shift+↓ then Space marks the selected rows, Space again unmarks them", async () => {
    const marked: unknown[] = [];
    const unmarked: unknown[] = [];
    mockCommands({
      list_wallets: () => [wallet()],
      history_page: () => ({ rows: [historyRow(1), historyRow(2), historyRow(3)], next_cursor: null, total: null, zone: "UTC" }),
      history_count: () => 3,
      mark_reviewed: (a) => (marked.push(a.ids), { requested: 2, changed: 2 }),
      unmark_reviewed: (a) => (unmarked.push(a.ids), { requested: 2, changed: 2 }),
    });
    render(History);
    await screen.findAllByTestId("history-row");
    const grid = screen.getByTestId("history-grid");
    await fireEvent.keyDown(grid, { key: "Home" });
    await fireEvent.keyDown(grid, { key: "ArrowDown", shiftKey: true });
    await fireEvent.keyDown(grid, { key: " " });
    await vi.waitFor(() => expect(marked).toEqual([[1, 2]]));
    await vi.waitFor(() => expect(document.querySelectorAll("[data-reviewed=true]").length).toBe(2));
    expect(screen.getByTestId("review-status").textContent).toContain("2 rows marked reviewed");
    await fireEvent.keyDown(grid, { key: " " });
    await vi.waitFor(() => expect(unmarked).toEqual([[1, 2]]));
  });
});

describe("History mouse selection", () => {
  it("Shift+click selects a range, Ctrl+click takes a row out, Space marks what is selected", async () => {
    const marked: unknown[] = [];
    mockCommands({
      list_wallets: () => [wallet()],
      history_page: () => ({ rows: [historyRow(1), historyRow(2), historyRow(3), historyRow(4)], next_cursor: null, total: null, zone: "UTC" }),
      history_count: () => 4,
      mark_reviewed: (a) => (marked.push(a.ids), { requested: 3, changed: 3 }),
    });
    render(History);
    const rows = await screen.findAllByTestId("history-row");
    await fireEvent.click(rows[0]);
    await fireEvent.click(rows[3], { shiftKey: true });
    await fireEvent.click(rows[1], { ctrlKey: true });
    expect(rows.map((r) => r.getAttribute("aria-selected"))).toEqual(["true", "false", "true", "true"]);
    expect(screen.getByTestId("review-status").textContent).toContain("3 selected");
    await fireEvent.keyDown(screen.getByTestId("history-grid"), { key: " " });
    await vi.waitFor(() => expect(marked).toEqual([[1, 3, 4]]));
  });
});

describe("Sign-off dialog", () => {
  it("requires a note when the period has unexplained breaks", async () => {
    const created: unknown[] = [];
    mockCommands({
      summarise: () => ({ zone: "UTC", rows: [{ closing: { amount: "10.50", source: "derived" } }], totals: [] }),
      reconcile: () => ({ zone: "UTC", wallets: [{ breaks: [{ rows: [{ occurred_at_utc: "2026-03-02T10:00:00Z" }] }, { rows: [{ occurred_at_utc: "2026-03-05T10:00:00Z" }] }] }] }),
      create_signoff: (a) => (created.push(a.request), { id: 9 }),
    });
    const done = vi.fn();
    render(SignoffDialog, { walletId: 1, walletName: "EUR main", currency: "EUR", zone: "UTC", through: "2026-03-31", onclose: () => {}, ondone: done });
    expect((await screen.findByTestId("signoff-closing")).textContent).toContain("derived from the rows");
    expect(screen.getByTestId("signoff-why").textContent).toContain("unexplained breaks");
    const confirm = screen.getByTestId("signoff-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("signoff-note"), { target: { value: "Fee rounding, agreed with the provider" } });
    expect(confirm.disabled).toBe(false);
    await fireEvent.click(confirm);
    await vi.waitFor(() => expect(done).toHaveBeenCalled());
    expect(created).toEqual([{ wallet_id: 1, through: "2026-03-31", zone: "UTC", note: "Fee rounding, agreed with the provider" }]);
    expect(screen.queryByTestId("signoff-breaks")?.textContent).toContain("2 unexplained breaks");
  });
});

describe("Late-change banner", () => {
  const change = lateChange({
    id: 5,
    transaction_id: 3,
    record_id: "tx-3",
    before: { amount: "12.50", fee: "0.10", status: "completed", balance: "100.00", raw: "{}" },
    after: { amount: "15.00", fee: "0.10", status: "completed", balance: "102.50", raw: "{}" },
  });

  it("lists each change with before and after, and acknowledges with a note", async () => {
    const acks: unknown[] = [];
    mockCommands({ acknowledge_late_change: (a) => (acks.push(a), null), list_late_changes: () => [] });
    review.late = [change];
    render(LateChanges);
    expect(screen.getByTestId("late-changes").textContent).toContain("1 late change in signed-off periods");
    const rows = [...screen.getByTestId("late-diff").querySelectorAll("tbody tr")].map((r) => r.getAttribute("data-field"));
    expect(rows).toEqual(["Amount", "Balance"]);
    expect(screen.getAllByTestId("before")[0].textContent).toContain("12.50");
    expect(screen.getAllByTestId("after")[0].textContent).toContain("15.00");
    await fireEvent.click(screen.getByTestId("acknowledge"));
    await fireEvent.input(screen.getByTestId("ack-note"), { target: { value: "Provider corrected a typo" } });
    await fireEvent.click(screen.getByTestId("ack-confirm"));
    await vi.waitFor(() => expect(acks).toEqual([{ id: 5, note: "Provider corrected a typo", zone: expect.any(String) }]));
    await vi.waitFor(() => expect(screen.queryByTestId("late-changes")).toBeNull());
  });
});
