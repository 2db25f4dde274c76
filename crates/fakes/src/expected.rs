//! Ground truth for tests, computed from the fake's own records.
//!
//! Sums count *completed* transactions only (a Flexprice `pending` or
//! `failed` row moves no money); `count` and `ids` count every row served.

use crate::data::{Direction, FakeWallet, TxStatus};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Totals for one currency.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurrencyTotals {
    pub count: usize,
    pub credits: Decimal,
    pub debits: Decimal,
    pub fees: Decimal,
}

impl CurrencyTotals {
    /// credits - debits - fees
    pub fn net(&self) -> Decimal {
        self.credits - self.debits - self.fees
    }
}

/// What a correct sync of a wallet (or a whole provider) must end up with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expected {
    /// Rows served, whatever their status.
    pub count: usize,
    /// Sum of completed credit amounts.
    pub credits: Decimal,
    /// Sum of completed debit amounts (without fees).
    pub debits: Decimal,
    /// Sum of fees of completed debits (Papaya only).
    pub fees: Decimal,
    /// The same sums per wallet currency, as the provider spells it.
    pub by_currency: BTreeMap<String, CurrencyTotals>,
    /// Balance before the oldest row (sum over wallets for a provider).
    pub opening_balance: Decimal,
    /// The wallet's current balance (sum over wallets for a provider).
    pub final_balance: Decimal,
    /// Record ids, oldest first (Baanx serves none: these are the fake's own).
    pub ids: Vec<String>,
    pub pending: usize,
    pub failed: usize,
}

impl Expected {
    pub fn add_wallet(&mut self, w: &FakeWallet) {
        self.opening_balance += w.opening_balance;
        self.final_balance += w.balance();
        for t in &w.txs {
            self.count += 1;
            self.ids.push(t.id.clone());
            let cur = self.by_currency.entry(t.currency.clone()).or_default();
            cur.count += 1;
            match t.status {
                TxStatus::Pending => self.pending += 1,
                TxStatus::Failed => self.failed += 1,
                TxStatus::Completed => match t.direction {
                    Direction::Credit => {
                        self.credits += t.amount;
                        cur.credits += t.amount;
                    }
                    Direction::Debit => {
                        self.debits += t.amount;
                        self.fees += t.fee;
                        cur.debits += t.amount;
                        cur.fees += t.fee;
                    }
                },
            }
        }
    }

    pub fn of_wallet(w: &FakeWallet) -> Expected {
        let mut e = Expected::default();
        e.add_wallet(w);
        e
    }
}
