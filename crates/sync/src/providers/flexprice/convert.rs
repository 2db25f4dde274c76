//! Flexprice records into the domain model.
//!
//! The amount is `credit_amount` (falling back to `amount`), in credits, the
//! unit of `credit_balance_before/after`; when `conversion_rate` is not 1 the
//! currency `amount` and the rate are kept as the original amount and FX rate.

use rust_decimal::Decimal;
use walletbook_core::model::{DiscoveredWallet, Direction, NewTransaction, ParsedRecord, QuarantinedRecord, TxStatus};
use walletbook_core::time::parse_record_timestamp;

use super::wire::{ListPage, Transaction, Wallet};

pub fn wallet(w: Wallet) -> DiscoveredWallet {
    DiscoveredWallet {
        provider_wallet_id: w.id,
        kind: w.wallet_type.filter(|k| !k.trim().is_empty()).unwrap_or_else(|| "WALLET".into()),
        currency: w.currency.unwrap_or_default(),
        name: w.name.filter(|n| !n.trim().is_empty()),
        current_balance: w.credit_balance.or(w.balance).map(Decimal::from),
    }
}

/// One raw record: parsed, or quarantined with the reason.
pub fn transaction(raw: &str, wallet_currency: &str) -> ParsedRecord {
    let quarantine = |reason: String| QuarantinedRecord { raw: raw.to_string(), reason };
    let t: Transaction = serde_json::from_str(raw).map_err(|e| quarantine(format!("unreadable transaction: {e}")))?;
    read(t, raw, wallet_currency).map_err(quarantine)
}

fn read(t: Transaction, raw: &str, wallet_currency: &str) -> Result<NewTransaction, String> {
    let when = t.created_at.as_deref().ok_or("created_at is missing")?;
    let occurred_at = parse_record_timestamp(when).map_err(|e| format!("created_at: {e}"))?;
    let kind = t.kind.as_deref().unwrap_or("");
    let direction = Direction::parse(kind).ok_or_else(|| format!("type '{kind}' is neither credit nor debit"))?;
    let credits = t.credit_amount.or(t.amount).map(Decimal::from).ok_or("credit_amount and amount are missing")?;
    let currency = t.currency.as_deref().filter(|c| !c.trim().is_empty()).unwrap_or(wallet_currency);
    let mut n = NewTransaction::new(t.id, occurred_at, direction, credits, currency, raw);
    let rate = t.conversion_rate.map(Decimal::from).filter(|r| *r != Decimal::ONE);
    if let (Some(rate), Some(amount)) = (rate, t.amount.map(Decimal::from)) {
        n.fx_rate = Some(rate);
        n.original_amount = Some(amount.abs());
        n.original_currency = Some(currency.to_string());
    }
    n.balance_before = t.credit_balance_before.map(Decimal::from);
    n.balance_after = t.credit_balance_after.map(Decimal::from);
    n.status = t.transaction_status.as_deref().map_or(TxStatus::Completed, TxStatus::parse_lenient);
    n.category = t.transaction_reason.filter(|r| !r.is_empty());
    n.description = t.description.filter(|d| !d.is_empty());
    n.reference = t.reference_id.filter(|r| !r.is_empty());
    Ok(n)
}

/// A transactions search answer, each item converted (or quarantined) on
/// its own in a wallet of `wallet_currency`, as the connector reads it; for fuzzing.
pub fn parse_page(body: &[u8], wallet_currency: &str) -> Result<Vec<ParsedRecord>, serde_json::Error> {
    let page: ListPage = serde_json::from_slice(body)?;
    Ok(page.items.iter().map(|r| transaction(r.get(), wallet_currency)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_strings_unknown_reasons_and_bad_records() {
        let raw = r#"{"id":"wtx_1","type":"credit","amount":"12437697.2263","credit_amount":"12437697.2263","credit_balance_before":"0","credit_balance_after":"12437697.2263","currency":"usd","transaction_status":"pending","transaction_reason":"PURCHASED_CREDIT_BONUS","created_at":"2025-06-01T11:59:59.123456Z","new_field":1}"#;
        let t = transaction(raw, "usd").unwrap();
        assert_eq!((t.amount.to_string(), t.status, t.category.as_deref()), ("12437697.2263".into(), TxStatus::Pending, Some("PURCHASED_CREDIT_BONUS")));
        assert_eq!(t.balance_after.map(|b| b.to_string()), Some("12437697.2263".into()));
        assert_eq!(t.raw, raw);
        let bad = transaction(r#"{"id":"wtx_2","type":"debit","amount":"12,5x","created_at":"2025-06-01T00:00:00Z"}"#, "usd").unwrap_err();
        assert!(bad.reason.contains("12,5x"), "{}", bad.reason);
        let bad = transaction(r#"{"id":"wtx_3","type":"debit","amount":"1","created_at":"2024-13-45T25:61:00Z"}"#, "usd").unwrap_err();
        assert!(bad.reason.starts_with("created_at"), "{}", bad.reason);
    }

    #[test]
    fn a_date_the_cache_cannot_hold_is_quarantined() {
        let q = transaction(r#"{"id":"wtx_z","type":"debit","amount":"1","created_at":"0001-01-01T00:00:00Z"}"#, "usd").expect_err("Go's zero time");
        assert!(q.reason.contains("0001-01-01T00:00:00Z") && q.reason.contains("zero time"), "{}", q.reason);
    }
}
