// Sample IPC data for UI tests, typed by the generated bindings.

import type { Wallet } from "../lib/bindings/Wallet";

export function wallet(over: Partial<Wallet> = {}): Wallet {
  return {
    id: 1,
    connection_id: 1,
    connection_name: "Spaaza main",
    provider: "spaaza",
    provider_wallet_id: "w-100",
    kind: "CREDIT",
    currency: "EUR",
    name: "Main EUR",
    current_balance: "1234.5",
    balance_as_of: "2026-11-20T10:00:00Z",
    last_sync_at: "2026-11-20T10:00:00Z",
    last_sync_status: "ok",
    last_sync_message: null,
    transaction_count: 42,
    ...over,
  };
}
