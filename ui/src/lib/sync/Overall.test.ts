// The whole sync's bar: its accessible value and text, the time left, and
// the Sync screen showing it (and the concurrency setting) while a sync runs.

import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { OverallProgress } from "../bindings/OverallProgress";
import type { SyncProgress } from "../bindings/SyncProgress";
import { connection } from "../../test/fixtures";
import { ipcError, mockCommands } from "../../test/ipc";
import Sync from "../screens/Sync.svelte";
import Overall from "./Overall.svelte";
import { recordProgress, sync, timeLeft } from "./store.svelte";

function overall(over: Partial<OverallProgress> = {}): OverallProgress {
  return { done: 0, connections: 5, connections_done: 0, wallets: 0, wallets_done: 0, elapsed_ms: 400, seconds_left: null, ...over };
}

function event(name: string, o: OverallProgress): SyncProgress {
  return { connection: name, provider: "flexprice", wallet: "w1", wallet_index: 1, wallet_count: 3, phase: "wallet", pages: 1, records: 10, overall: o };
}

describe("the overall sync bar", () => {
  it("says estimating… until there is a basis, then the time left", async () => {
    const { rerender } = render(Overall, { overall: overall(), state: "running" });
    const bar = screen.getByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("0");
    expect(bar.getAttribute("aria-valuetext")).toBe("0%, estimating…");
    expect(screen.getByTestId("sync-time-left").textContent).toBe("estimating…");
    await rerender({ overall: overall({ done: 0.456, connections_done: 2, wallets: 9, wallets_done: 4, seconds_left: 12 }), state: "running" });
    expect(bar.getAttribute("aria-valuenow")).toBe("45");
    expect(bar.getAttribute("aria-valuetext")).toBe("45%, about 12 s left");
    expect(screen.getByTestId("sync-overall-text").textContent).toBe("45% · 2 of 5 connections, 4 of 9 wallets done · about 12 s left");
  });

  it("reads minutes as minutes, and says how the sync ended", async () => {
    expect(timeLeft(125)).toBe("about 3 min left");
    const { rerender } = render(Overall, { overall: overall({ done: 1, connections_done: 5, wallets: 15, wallets_done: 15, seconds_left: 0, elapsed_ms: 4200 }), state: "finished" });
    expect(screen.getByRole("progressbar").getAttribute("aria-valuetext")).toBe("100%, took 4 s");
    expect(screen.getByTestId("sync-overall-text").textContent).toBe("100% · 5 of 5 connections, 15 of 15 wallets done · took 4 s");
    const stopped = overall({ done: 0.4, connections_done: 1, wallets: 9, wallets_done: 4, elapsed_ms: 2600 });
    await rerender({ overall: stopped, state: "stopping" });
    expect(screen.getByTestId("sync-time-left").textContent).toBe("stopping…");
    await rerender({ overall: stopped, state: "cancelled" });
    expect(screen.getByTestId("sync-overall-text").textContent).toBe("40% · 1 of 5 connections, 4 of 9 wallets done · cancelled after 3 s");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuetext")).toBe("40%, cancelled after 3 s");
  });

  it("never moves back when a late event carries a smaller share", () => {
    sync.overall = null;
    recordProgress(event("a", overall({ done: 0.5, seconds_left: 3 })));
    recordProgress(event("b", overall({ done: 0.25, seconds_left: 9 })));
    expect((sync.overall as OverallProgress | null)?.done).toBe(0.5);
  });
});

describe("the Sync screen", () => {
  const base = {
    list_connections: () => [connection(), connection({ id: 2, name: "Papaya" })],
    list_wallets: () => [],
    list_runs: () => [],
    list_quarantine: () => [],
    get_preferences: () => ({ sync_concurrency: 4 }),
  };

  it("shows the overall bar over every connection while a sync runs", async () => {
    let release: (v: unknown) => void = () => {};
    mockCommands({ ...base, sync_run: () => new Promise((r) => (release = r)) });
    render(Sync);
    await fireEvent.click(await screen.findByTestId("sync-all"));
    recordProgress(event("Flex", overall({ done: 0.2, connections: 2, wallets: 3, wallets_done: 1, seconds_left: 8 })));
    const text = await screen.findByTestId("sync-overall-text");
    expect(text.textContent).toBe("20% · 0 of 2 connections, 1 of 3 wallets done · about 8 s left");
    expect(screen.getAllByRole("progressbar").length).toBeGreaterThanOrEqual(2);
    expect((screen.getByTestId("sync-concurrency") as HTMLInputElement).disabled).toBe(true);
    release({ cancelled: false, connections: [] });
    expect(await screen.findByText("Last sync")).toBeTruthy();
  });

  it("remembers connections at once, and says in one sentence what is wrong", async () => {
    const saved: unknown[] = [];
    mockCommands({
      ...base,
      set_sync_concurrency: (a) => {
        saved.push(a.connections);
        return { sync_concurrency: a.connections };
      },
    });
    render(Sync);
    const input = (await screen.findByTestId("sync-concurrency")) as HTMLInputElement;
    await screen.findByDisplayValue("4");
    await fireEvent.input(input, { target: { value: "8" } });
    await fireEvent.change(input);
    expect(saved).toEqual([8]);
    await fireEvent.input(input, { target: { value: "40" } });
    await fireEvent.change(input);
    expect((await screen.findByTestId("sync-concurrency-problem")).textContent).toBe("Connections synced at once must be a whole number from 1 to 32, not 40.");
    expect(saved).toEqual([8]);
  });

  it("shows the app's refusal when the preference cannot be saved", async () => {
    mockCommands({ ...base, set_sync_concurrency: ipcError("io", "Your preferences could not be saved to /x (denied): check that the folder can be written") });
    render(Sync);
    const input = (await screen.findByTestId("sync-concurrency")) as HTMLInputElement;
    await screen.findByDisplayValue("4");
    await fireEvent.input(input, { target: { value: "2" } });
    await fireEvent.change(input);
    expect((await screen.findByTestId("sync-concurrency-problem")).textContent).toContain("could not be saved");
  });
});
