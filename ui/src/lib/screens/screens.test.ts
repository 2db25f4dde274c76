// Each screen's states with the IPC mocked: loading, empty, data, error.

import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { connection, historyRow, providers, summary, wallet } from "../../test/fixtures";
import { ipcError, mockCommands } from "../../test/ipc";
import { catalog } from "../catalog.svelte";
import { banners, clearBanners } from "../errors.svelte";
import { history } from "../history/store.svelte";
import Connections from "./Connections.svelte";
import Export from "./Export.svelte";
import History from "./History.svelte";
import Reconciliation from "./Reconciliation.svelte";
import Summaries from "./Summaries.svelte";
import Sync from "./Sync.svelte";

const never = () => new Promise(() => {});

beforeEach(() => {
  clearBanners();
  catalog.providers = providers;
  history.headCount = 0;
});

describe("History", () => {
  it("shows rows and the total", async () => {
    mockCommands({
      list_wallets: () => [wallet()],
      history_page: () => ({ rows: [historyRow(1), historyRow(2)], next_cursor: null, total: null, zone: "UTC" }),
      history_count: () => 2,
    });
    render(History);
    expect((await screen.findAllByTestId("history-row")).length).toBeGreaterThan(0);
    expect(await screen.findByText(/2 transactions/)).toBeTruthy();
  });

  it("says what to do when the cache is empty", async () => {
    mockCommands({ list_wallets: () => [], history_page: () => ({ rows: [], next_cursor: null, total: null, zone: "UTC" }), history_count: () => 0 });
    render(History);
    expect(await screen.findByText("No transactions yet")).toBeTruthy();
  });

  it("shows loading, then an error banner", async () => {
    mockCommands({ list_wallets: () => [], history_page: never, history_count: never });
    const { unmount } = render(History);
    expect(screen.getByRole("status").textContent).toContain("Reading transactions");
    unmount();
    mockCommands({ list_wallets: () => [], history_page: ipcError("cache", "disk I/O error"), history_count: () => 0 });
    render(History);
    expect(await screen.findByText("The history could not be read")).toBeTruthy();
    expect(banners[0].message).toBe("disk I/O error");
  });
});

describe("Summaries", () => {
  it("shows the totals table and the chart", async () => {
    mockCommands({ list_wallets: () => [wallet()], summarise: () => summary() });
    render(Summaries);
    const row = await screen.findByTestId("total-row");
    expect(row.textContent).toContain("€60.25");
    expect(screen.getByTestId("summary-chart")).toBeTruthy();
  });

  it("loading, empty and error", async () => {
    mockCommands({ list_wallets: () => [], summarise: never });
    const first = render(Summaries);
    expect(screen.getByRole("status")).toBeTruthy();
    first.unmount();
    mockCommands({ list_wallets: () => [], summarise: () => ({ ...summary(), rows: [], totals: [] }) });
    const second = render(Summaries);
    expect(await screen.findByText("Nothing to sum up")).toBeTruthy();
    second.unmount();
    mockCommands({ list_wallets: () => [], summarise: ipcError("invalid_input", "unknown time zone 'Mars/Base'") });
    render(Summaries);
    await vi.waitFor(() => expect(banners[0]?.message).toContain("Mars/Base"));
  });
});

describe("Reconciliation", () => {
  const rec = (breaks: number) => ({
    zone: "UTC",
    wallets: [
      {
        wallet_id: 1, wallet_name: "Main EUR", connection_name: "Spaaza main", provider: "spaaza", currency: "EUR",
        balances_reported: true, fee_rule: "no fees", rows_checked: 10, breaks_found: breaks, gaps_found: 0, gaps: [],
        breaks: breaks ? [{ kind: "between_rows", expected: "10", found: "12", difference: "2", at_sync_boundary: false, rows: [historyRow(1)] }] : [],
        current_balance: "12", last_reported_balance: "12",
      },
    ],
  });

  it("lists breaks with their rows", async () => {
    mockCommands({ reconcile: () => rec(1) });
    render(Reconciliation);
    expect((await screen.findAllByTestId("break")).length).toBe(1);
    expect(screen.getByText(/1 breaks/)).toBeTruthy();
  });

  it("says when everything reconciles, and when there is nothing", async () => {
    mockCommands({ reconcile: () => rec(0) });
    const a = render(Reconciliation);
    expect(await screen.findByText("Reconciles")).toBeTruthy();
    a.unmount();
    mockCommands({ reconcile: () => ({ zone: "UTC", wallets: [] }) });
    render(Reconciliation);
    expect(await screen.findByText("No wallets to check")).toBeTruthy();
  });
});

describe("Connections", () => {
  it("empty state offers adding one; the form sends the secret", async () => {
    let added: unknown = null;
    mockCommands({
      list_connections: () => (added ? [connection()] : []),
      add_connection: (a) => ((added = a.input), connection()),
    });
    render(Connections);
    await fireEvent.click(await screen.findByText("Add a connection"));
    await fireEvent.input(screen.getByTestId("field-name"), { target: { value: "Flex" } });
    await fireEvent.input(screen.getByTestId("field-api_key"), { target: { value: "sk-1" } });
    await fireEvent.click(screen.getByTestId("save-connection"));
    await screen.findByTestId("connection");
    expect(added).toMatchObject({ name: "Flex", provider: "flexprice", secrets: { api_key: "sk-1" }, settings: {} });
  });

  it("shows the provider's answer to a test, in plain words", async () => {
    mockCommands({ list_connections: () => [connection()], test_connection: ipcError("auth", "Flexprice rejected the credentials (401)") });
    render(Connections);
    await fireEvent.click(await screen.findByTestId("test-connection"));
    expect((await screen.findByTestId("test-result")).textContent).toContain("rejected the credentials");
  });
});

describe("Connections import", () => {
  it("imports the file picked in the open dialog and reports the counts", async () => {
    let imported: Record<string, unknown> | null = null;
    mockCommands({
      list_connections: () => [connection({ name: "Loyalty", provider: "spaaza" })],
      choose_open_file: () => "/home/me/Wallet_Export-12345.csv",
      import_file: (a) => {
        imported = a;
        return { file: "Wallet_Export-12345.csv", connection: "Loyalty", format: "csv", rows: 5, inserted: 4, updated: 0, unchanged: 0, quarantined: 1, skipped: 0, wallets: [] };
      },
    });
    render(Connections);
    await fireEvent.click(await screen.findByTestId("import-file"));
    const result = await screen.findByTestId("import-result");
    expect(imported).toMatchObject({ connection: "Loyalty", path: "/home/me/Wallet_Export-12345.csv" });
    expect(result.textContent).toContain("4 new");
    expect(result.textContent).toContain("1 quarantined");
  });

  it("says why a file could not be imported", async () => {
    mockCommands({
      list_connections: () => [connection({ name: "Loyalty", provider: "spaaza" })],
      choose_open_file: () => "/tmp/bad.csv",
      import_file: ipcError("invalid_input", "/tmp/bad.csv has no amount (or credit/debit) column"),
    });
    render(Connections);
    await fireEvent.click(await screen.findByTestId("import-file"));
    expect((await screen.findByTestId("import-result")).textContent).toContain("has no amount");
  });
});

describe("Sync", () => {
  it("streams progress, then shows the result", async () => {
    let release: (v: unknown) => void = () => {};
    mockCommands({
      list_connections: () => [connection()],
      get_preferences: () => ({ sync_concurrency: 4 }),
      list_wallets: () => [],
      list_runs: () => [],
      list_quarantine: () => [],
      sync_run: () => new Promise((r) => (release = r)),
    });
    render(Sync);
    await fireEvent.click(await screen.findByTestId("sync-one"));
    expect(await screen.findByTestId("sync-progress")).toBeTruthy();
    expect(screen.getByTestId("cancel-sync")).toBeTruthy();
    release({ cancelled: false, connections: [{ connection: "Flex", provider: "flexprice", status: "ok", run_id: 1, wallets: [], error: null, error_code: null }] });
    expect((await screen.findByTestId("sync-result")).textContent).toContain("Synced");
  });

  it("shows why a run failed in the sync log", async () => {
    const why = "Flexprice (offline) could not be reached at http://127.0.0.1:9/v1: check the network and the base URL";
    mockCommands({
      list_connections: () => [connection()],
      get_preferences: () => ({ sync_concurrency: 4 }),
      list_wallets: () => [],
      list_runs: () => [
        { id: 2, connection_name: "Flex", started_at: "2026-01-02T10:00:00Z", finished_at: "2026-01-02T10:00:01Z", status: "failed", full_refetch: false, message: why },
        { id: 1, connection_name: "Flex", started_at: "2026-01-01T10:00:00Z", finished_at: "2026-01-01T10:00:09Z", status: "ok", full_refetch: false, message: "1 wallet(s): 3 new, 0 updated, 0 unchanged, 0 quarantined" },
      ],
      list_quarantine: () => [],
    });
    render(Sync);
    const [failed, ok] = await screen.findAllByTestId("run-message");
    expect(failed.textContent).toBe(why);
    expect(failed.classList.contains("why")).toBe(true);
    expect(ok.classList.contains("why")).toBe(false);
  });

  it("says what to do with no connections", async () => {
    mockCommands({ list_connections: () => [], list_wallets: () => [], list_runs: () => [], list_quarantine: () => [] });
    render(Sync);
    expect(await screen.findByText("Nothing to sync yet")).toBeTruthy();
  });
});

describe("Export", () => {
  it("offers a statement of the first wallet by default", async () => {
    mockCommands({ list_wallets: () => [wallet()] });
    render(Export);
    await vi.waitFor(() => expect((screen.getByTestId("export-wallet") as HTMLSelectElement).value).toBe("1"));
    expect((screen.getByTestId("export-run") as HTMLButtonElement).disabled).toBe(false);
  });
});
