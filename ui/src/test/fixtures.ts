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
    reviewed_count: 0,
    ...over,
  };
}

import type { Connection } from "../lib/bindings/Connection";
import type { HistoryRow } from "../lib/bindings/HistoryRow";
import type { ProviderInfo } from "../lib/bindings/ProviderInfo";
import type { Summary } from "../lib/bindings/Summary";

export function historyRow(i: number, over: Partial<HistoryRow> = {}): HistoryRow {
  return {
    id: i,
    wallet_id: 1,
    wallet_name: "Main EUR",
    connection_name: "Spaaza main",
    provider: "spaaza",
    record_id: `r-${i}`,
    occurred_at: "2025-11-01T10:00:00+00:00",
    occurred_at_utc: "2025-11-01T10:00:00Z",
    direction: i % 2 ? "debit" : "credit",
    amount: "10.50",
    signed_amount: i % 2 ? "-10.50" : "10.50",
    currency: "EUR",
    fee: null,
    balance_before: null,
    balance_after: null,
    description: `Row ${i}`,
    counterparty: null,
    reference: null,
    category: null,
    status: "completed",
    note: null,
    tags: [],
    reviewed: false,
    ...over,
  };
}

export function connection(over: Partial<Connection> = {}): Connection {
  return { id: 1, name: "Flex", provider: "flexprice", base_url: "http://127.0.0.1:1/flexprice/v1", settings: {}, ...over };
}

export const providers: ProviderInfo[] = [
  {
    id: "flexprice",
    name: "Flexprice",
    default_base_url: "https://api.cloud.flexprice.io/v1",
    fields: [{ key: "api_key", label: "API key", secret: true, required: true }],
  },
];

export function summary(): Summary {
  const total = { period: "2025-11", start: "2025-11-01", end: "2025-11-30", currency: "EUR", wallets: 1 };
  return {
    period: "month",
    zone: "UTC",
    from: null,
    to: null,
    rows: [
      {
        ...total,
        wallet_id: 1,
        wallet_name: "Main EUR",
        connection_name: "Spaaza main",
        provider: "spaaza",
        opening: { amount: "100", source: "reported" },
        closing: { amount: "150.25", source: "reported" },
        credits: "60.25",
        debits: "10",
        fees: "0",
        net: "50.25",
        count: 3,
        pending: 0,
        balance_check: "0",
        signed_off: false,
      },
    ],
    totals: [{ ...total, credits: "60.25", debits: "10", fees: "0", net: "50.25", count: 3 }],
  };
}
