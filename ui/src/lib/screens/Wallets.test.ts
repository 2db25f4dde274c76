import { render, screen, fireEvent } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { banners, clearBanners } from "../errors.svelte";
import { ipcError, mockCommands } from "../../test/ipc";
import { wallet } from "../../test/fixtures";
import Wallets from "./Wallets.svelte";
import type { SyncStatus } from "../bindings/SyncStatus";
import { groupByConnection, syncPill } from "./wallets";

describe("Wallets screen", () => {
  it("shows a loading state first", () => {
    mockCommands({ list_wallets: () => new Promise(() => {}) });
    render(Wallets);
    expect(screen.getByRole("status").textContent).toContain("Reading wallets");
  });

  it("lists wallets grouped by connection with exact balances", async () => {
    mockCommands({
      list_wallets: () => [
        wallet(),
        wallet({ id: 2, provider_wallet_id: "w-101", name: null, currency: "JPY", current_balance: "1500" }),
        wallet({ id: 3, connection_id: 2, connection_name: "Baanx cards", provider: "baanx", current_balance: "0.1000000000000000000000000001", currency: "USD" }),
      ],
    });
    render(Wallets);
    const rows = await screen.findAllByTestId("wallet-row");
    expect(rows).toHaveLength(3);
    expect(screen.getAllByTestId("connection-group")).toHaveLength(2);
    const balances = screen.getAllByTestId("balance").map((b) => b.textContent);
    expect(balances[0]).toMatch(/1,234\.50/);
    expect(balances[1]).toMatch(/1,500/);
    expect(balances[2]).toContain("0.1000000000000000000000000001");
  });

  it("offers the demo workspace and a connection when empty", async () => {
    let loaded = false;
    const calls = mockCommands({
      list_wallets: () => (loaded ? [wallet()] : []),
      load_demo: () => {
        loaded = true;
        return null;
      },
    });
    render(Wallets);
    const button = await screen.findByTestId("load-demo");
    expect(screen.getByText("Add a connection")).toBeTruthy();
    await fireEvent.click(button);
    await screen.findAllByTestId("wallet-row");
    expect(calls).toContain("load_demo");
  });

  it("turns an IPC error into a readable banner", async () => {
    clearBanners();
    mockCommands({ list_wallets: ipcError("cache", "/tmp/x.sqlite is not a Walletbook cache") });
    render(Wallets);
    await screen.findByText("The wallets could not be read");
    expect(banners).toHaveLength(1);
    expect(banners[0].title).toBe("The local cache has a problem");
    expect(banners[0].message).toContain("/tmp/x.sqlite");
  });
});

describe("wallet helpers", () => {
  it("groups in first-seen order", () => {
    const g = groupByConnection([wallet(), wallet({ id: 2, connection_id: 5, connection_name: "B" }), wallet({ id: 3 })]);
    expect(g.map((x) => [x.connectionName, x.wallets.length])).toEqual([
      ["Spaaza main", 2],
      ["B", 1],
    ]);
  });

  it("labels sync states", () => {
    expect(syncPill({ last_sync_at: null, last_sync_status: null }).label).toBe("Never synced");
    expect(syncPill({ last_sync_at: "2026-01-01T00:00:00Z", last_sync_status: "failed" }).tone).toBe("err");
  });

  it("labels every status Rust writes, and no other", () => {
    const at = "2026-01-01T00:00:00Z";
    const statuses: Record<SyncStatus, [string, string]> = {
      ok: ["Synced", "ok"],
      failed: ["Failed", "err"],
      cancelled: ["Cancelled", "warn"],
      skipped: ["Skipped", ""],
    };
    for (const [status, [label, tone]] of Object.entries(statuses) as [SyncStatus, [string, string]][]) {
      expect(syncPill({ last_sync_at: at, last_sync_status: status })).toEqual({ label, tone });
    }
  });
});
