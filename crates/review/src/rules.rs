//! How a transaction moves a wallet's balance, per provider. Summaries,
//! statements (running balances) and reconciliation all use these rules, so
//! they always agree.
//!
//! Terms:
//! - *delta*: the change a row makes to the wallet balance;
//! - *moving row*: a row whose delta is applied. Pending and failed rows do
//!   not move the balance (providers report them with `before = after`);
//!   completed and unknown rows do;
//! - *fee rule*: fees are never included in `amount`; they are taken on top.
//!   A moving credit adds `amount − fee`, a moving debit takes `amount + fee`.
//!   Only Papaya reports fees (on debits); for the other providers the fee is
//!   absent and counts as zero, so one rule fits all five;
//! - *reported* balances come from the provider's rows (Spaaza and Papaya
//!   report the balance after each row, Flexprice and Exlr8 before and after);
//!   *derived* balances are computed from the wallet's current balance and
//!   the history, backwards (Baanx reports no per-row balances).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use walletbook_core::model::{Direction, Provider, TxStatus};

/// Where a balance figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BalanceSource {
    /// Taken from the provider's rows.
    Reported,
    /// Computed from the current balance and the history.
    Derived,
    /// A roll-up over wallets of which some are reported and some derived.
    Mixed,
}

/// Whether the provider reports a balance on each row.
pub fn reports_balances(provider: Provider) -> bool {
    !matches!(provider, Provider::Baanx)
}

/// The fee rule in one sentence, for reports and statement headers.
pub fn fee_rule(provider: Provider) -> &'static str {
    match provider {
        Provider::Papaya => "fees are taken on top of the amount: before + credit − debit − fee = after",
        _ => "this provider reports no fees: before + credit − debit = after",
    }
}

/// Whether a row moves the balance, and by how much: the one rule, kept
/// in the core because the store orders same-instant rows by it too.
pub use walletbook_core::order::{delta, moves_balance};

/// Parse a stored status word (as written by the store).
pub fn status_from_db(s: &str) -> TxStatus {
    match s {
        "pending" => TxStatus::Pending,
        "completed" => TxStatus::Completed,
        "failed" => TxStatus::Failed,
        _ => TxStatus::Unknown,
    }
}

/// Parse a stored direction word.
pub fn direction_from_db(s: &str) -> Direction {
    if s == "debit" {
        Direction::Debit
    } else {
        Direction::Credit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn fee_on_top_and_non_moving_rows() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(delta(Direction::Debit, d("10.00"), d("0.50"), TxStatus::Completed), d("-10.50"));
        assert_eq!(delta(Direction::Credit, d("10.00"), Decimal::ZERO, TxStatus::Completed), d("10.00"));
        assert_eq!(delta(Direction::Credit, d("10.00"), Decimal::ZERO, TxStatus::Pending), Decimal::ZERO);
        assert_eq!(delta(Direction::Debit, d("10.00"), Decimal::ZERO, TxStatus::Failed), Decimal::ZERO);
    }
}
