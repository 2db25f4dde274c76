//! Exlr8 rows -> [`NewTransaction`]. A row that cannot be read becomes a
//! [`QuarantinedRecord`] with its raw text and the reason.
//!
//! `adjustmentInfo` in another currency than the row's gives the original
//! amount and currency and the exchange rate; in the row's own currency it
//! carries nothing new and is left out.

use walletbook_core::model::{Direction, NewTransaction, ParsedRecord, QuarantinedRecord, TxStatus};
use walletbook_core::time::parse_record_timestamp;

use super::wire::{Transaction, TransactionsPage};

/// Parse one raw row.
pub fn record(raw: &str) -> ParsedRecord {
    let quarantine = |reason: String| QuarantinedRecord { raw: raw.to_string(), reason: format!("Exlr8 transaction could not be read: {reason}") };
    let t: Transaction = serde_json::from_str(raw).map_err(|e| quarantine(e.to_string()))?;
    let direction = match t.txn_type.trim().to_ascii_uppercase().as_str() {
        "CREDIT" => Direction::Credit,
        "DEBIT" => Direction::Debit,
        other => return Err(quarantine(format!("unknown txnType '{other}'"))),
    };
    if t.txn_id.trim().is_empty() {
        return Err(quarantine("empty txnID".into()));
    }
    let at = parse_record_timestamp(&t.created_at).map_err(quarantine)?;
    let mut tx = NewTransaction::new(t.txn_id, at, direction, t.amount.0, t.currency.clone(), raw);
    tx.balance_before = t.balance_before.map(|d| d.0);
    tx.balance_after = t.balance_after.map(|d| d.0);
    tx.category = t.activity;
    tx.reference = t.reference_id;
    tx.description = t.metadata.and_then(|m| m.comment);
    tx.status = TxStatus::Completed;
    if let Some(adj) = t.adjustment_info {
        if let Some(cur) = adj.currency.filter(|c| !c.eq_ignore_ascii_case(&t.currency)) {
            tx.original_amount = adj.amount.map(|d| d.0.abs());
            tx.original_currency = Some(cur);
            tx.fx_rate = adj.exchange_rate.map(|d| d.0);
        }
    }
    Ok(tx)
}

/// A transactions page body, each row converted (or quarantined) on its
/// own, as the connector reads it; for benchmarks and fuzzing.
pub fn parse_page(body: &[u8]) -> Result<Vec<ParsedRecord>, serde_json::Error> {
    let page: TransactionsPage = serde_json::from_slice(body)?;
    Ok(page.transactions.iter().map(|r| record(r.get())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_row_parses_exactly() {
        let raw = r#"{"txnID":"07924e18","dpID":"d","txnType":"CREDIT","accountType":"WALLET","currency":"INR","amount":61211,
            "balanceBefore":12437697.2263,"balanceAfter":12498908.2263,"activity":"TOPUP","referenceID":"ADJ-1",
            "metadata":{"comment":"Manual"},"adjustmentInfo":{"currency":"AED","amount":2500,"exchangeRate":24.4844},
            "createdAt":"2025-12-08T18:25:22.041Z","newField":1}"#;
        let t = record(raw).unwrap();
        assert_eq!(t.balance_before.unwrap().to_string(), "12437697.2263");
        assert_eq!(t.fx_rate.unwrap().to_string(), "24.4844");
        assert_eq!(t.original_currency.as_deref(), Some("AED"));
        assert_eq!(t.raw, raw);
    }

    #[test]
    fn bad_amount_is_quarantined_with_reason() {
        let raw = r#"{"txnID":"x","txnType":"DEBIT","currency":"INR","amount":"12,5x","createdAt":"2025-12-08T18:25:22Z"}"#;
        let q = record(raw).unwrap_err();
        assert!(q.reason.contains("12,5x"), "{}", q.reason);
        assert_eq!(q.raw, raw);
    }

    #[test]
    fn escaped_strings_are_read() {
        let raw = r#"{"txnID":"a\/b","txnType":"CRE\u0044IT","currency":"I\u004eR","amount":1,"createdAt":"2025-12-08T18:25:22\u005a"}"#;
        let t = record(raw).expect("escapes are JSON");
        assert_eq!((t.record_id.as_str(), t.currency.as_str(), t.direction), ("a/b", "INR", Direction::Credit));
    }

    #[test]
    fn a_date_the_cache_cannot_hold_is_quarantined() {
        let raw = r#"{"txnID":"z","txnType":"DEBIT","currency":"INR","amount":1,"createdAt":"0001-01-01T00:00:00Z"}"#;
        let q = record(raw).expect_err("Go's zero time");
        assert!(q.reason.contains("0001-01-01T00:00:00Z") && q.reason.contains("zero time"), "{}", q.reason);
    }
}
