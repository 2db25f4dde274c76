// Pure helpers for the wallets screen (tested without a DOM).

import type { Provider } from "../bindings/Provider";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { Wallet } from "../bindings/Wallet";

export interface ConnectionGroup {
  connectionId: number;
  connectionName: string;
  provider: Provider;
  wallets: Wallet[];
}

/** Wallets grouped by connection, in the order the connections first appear. */
export function groupByConnection(wallets: Wallet[]): ConnectionGroup[] {
  const groups = new Map<number, ConnectionGroup>();
  for (const w of wallets) {
    let g = groups.get(w.connection_id);
    if (!g) {
      g = { connectionId: w.connection_id, connectionName: w.connection_name, provider: w.provider, wallets: [] };
      groups.set(w.connection_id, g);
    }
    g.wallets.push(w);
  }
  return [...groups.values()];
}

export interface Pill {
  label: string;
  tone: "ok" | "warn" | "err" | "";
}

/** The badge of each way a sync can end (the statuses Rust writes). */
const SYNC_PILLS: Record<SyncStatus, Pill> = {
  ok: { label: "Synced", tone: "ok" },
  failed: { label: "Failed", tone: "err" },
  cancelled: { label: "Cancelled", tone: "warn" },
  skipped: { label: "Skipped", tone: "" },
};

/** The last-sync badge of a wallet. */
export function syncPill(w: Pick<Wallet, "last_sync_at" | "last_sync_status">): Pill {
  if (!w.last_sync_at || !w.last_sync_status) return { label: "Never synced", tone: "" };
  return SYNC_PILLS[w.last_sync_status];
}
