//! The ground truth of a running fake as JSON text, for tests outside Rust
//! (the e2e prints it in the `walletbook-fakes` line).
//!
//! Per provider and wallet: [`Expected`]'s counts and sums, and the wallet's
//! *completed* rows as `[at, direction, amount, fee]` so a test can total any
//! period itself. Money is written as decimal strings, never JSON numbers, so
//! no reader can pass it through a float. `at` is RFC 3339 UTC with
//! milliseconds (truncated, so a row never crosses a period boundary).

use crate::data::{Direction, TxStatus};
use crate::expected::Expected;
use crate::json::{self, Obj};
use crate::{FakeHandle, FakeProvider};
use chrono::SecondsFormat;

/// `{count, credits, debits, fees, pending, failed, by_currency: {cur: {count, credits, debits, fees}}}`
pub fn expected_json(e: &Expected) -> Obj {
    let mut by_currency = Obj::new();
    for (cur, t) in &e.by_currency {
        let o = Obj::new()
            .int("count", t.count as i64)
            .dec_str("credits", &t.credits)
            .dec_str("debits", &t.debits)
            .dec_str("fees", &t.fees);
        by_currency = by_currency.raw(cur, &o.finish());
    }
    Obj::new()
        .int("count", e.count as i64)
        .dec_str("credits", &e.credits)
        .dec_str("debits", &e.debits)
        .dec_str("fees", &e.fees)
        .int("pending", e.pending as i64)
        .int("failed", e.failed as i64)
        .raw("by_currency", &by_currency.finish())
}

/// `{provider: {wallet_id: {currency, ...expected, completed: [[at, dir, amount, fee]]}}}`
pub fn ground_truth(h: &FakeHandle) -> String {
    let mut providers = Obj::new();
    for p in FakeProvider::ALL {
        let mut wallets = Obj::new();
        for w in h.wallets(p) {
            let completed = h
                .transactions(p, &w.id)
                .into_iter()
                .filter(|t| t.status == TxStatus::Completed)
                .map(|t| {
                    let dir = match t.direction {
                        Direction::Credit => "credit",
                        Direction::Debit => "debit",
                    };
                    json::array([
                        json::string(&t.at.to_rfc3339_opts(SecondsFormat::Millis, true)),
                        json::string(dir),
                        json::string(&t.amount.to_string()),
                        json::string(&t.fee.to_string()),
                    ])
                });
            let o = expected_json(&h.expected(p, &w.id))
                .str("currency", &w.currency)
                .raw("completed", &json::array(completed));
            wallets = wallets.raw(&w.id, &o.finish());
        }
        providers = providers.raw(p.name(), &wallets.finish());
    }
    providers.finish()
}
