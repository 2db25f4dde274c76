// Pure helpers for the wallets screen (tested without a DOM).

import type { Provider } from "../bindings/Provider";
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

/** The last-sync badge of a wallet. */
export function syncPill(w: Pick<Wallet, "last_sync_at" | "last_sync_status">): Pill {
  if (!w.last_sync_at) return { label: "Never synced", tone: "" };
  switch (w.last_sync_status) {
    case "ok":
    case "completed":
    case "success":
      return { label: "Synced", tone: "ok" };
    case "partial":
    case "cancelled":
      return { label: w.last_sync_status === "partial" ? "Partial" : "Cancelled", tone: "warn" };
    case "failed":
    case "error":
      return { label: "Failed", tone: "err" };
    default:
      return { label: w.last_sync_status ?? "Unknown", tone: "" };
  }
}
