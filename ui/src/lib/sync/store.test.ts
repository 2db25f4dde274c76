import { beforeEach, describe, expect, it } from "vitest";
import type { SyncProgress } from "../bindings/SyncProgress";
import { describe as describeProgress, fraction, recordProgress, sync } from "./store.svelte";

function event(wallet_index: number, phase: SyncProgress["phase"]): SyncProgress {
  const overall = { done: 0, connections: 1, connections_done: 0, wallets: 4, wallets_done: 0, elapsed_ms: 0, seconds_left: null };
  return { connection: "flex", provider: "flexprice", wallet: `w${wallet_index}`, wallet_index, wallet_count: 4, phase, pages: 1, records: 10, overall };
}

describe("sync progress with wallets walking at once", () => {
  beforeEach(() => {
    sync.progress = {};
    sync.finished = {};
  });

  it("never moves the bar back when events of concurrent wallets interleave", () => {
    const events = [event(1, "wallet"), event(4, "wallet"), event(4, "wallet_done"), event(2, "wallet"), event(1, "wallet_done"), event(3, "wallet"), event(2, "wallet_done")];
    let last = 0;
    for (const e of events) {
      recordProgress(e);
      const now = fraction(sync.progress.flex, sync.finished.flex ?? 0);
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
    expect(sync.finished.flex).toBe(3);
    expect(last).toBe(0.75);
  });

  it("still reads one event alone by its position", () => {
    expect(fraction(event(3, "wallet_done"))).toBe(0.75);
    expect(fraction(event(3, "wallet"))).toBe(0.5);
  });
});

describe("a wallet another Walletbook is syncing", () => {
  it("says that this sync waits for it, naming the wallet or the account", () => {
    expect(describeProgress(event(2, "waiting"))).toBe("Wallet 2 of 4 (w2): waiting for another Walletbook that is syncing it…");
    expect(describeProgress({ ...event(0, "waiting"), wallet: null })).toBe("Waiting for another Walletbook that is syncing this account…");
    expect(describeProgress({ ...event(0, "preparing"), wallet: null, wallet_count: 0 })).toBe("The provider is preparing the history; other connections sync meanwhile…");
  });
});
