//! Papaya statement items -> [`NewTransaction`].
//!
//! The wallet's side of an item is `credit` for a CREDIT and `debit` for a
//! DEBIT; the other side, when in another currency, is the original amount
//! at `rate`. `balance` is the wallet balance after the item; `fees` are
//! taken on top of a debit.

use walletbook_core::model::{Direction, NewTransaction, ParsedRecord, QuarantinedRecord};
use walletbook_core::time::parse_record_timestamp;

use super::wire::{Item, ItemsPage};

pub fn record(raw: &str) -> ParsedRecord {
    let quarantine = |reason: String| QuarantinedRecord { raw: raw.to_string(), reason: format!("Papaya Global statement item could not be read: {reason}") };
    let item: Item = serde_json::from_str(raw).map_err(|e| quarantine(e.to_string()))?;
    let (direction, own, other) = match item.action.trim().to_ascii_uppercase().as_str() {
        "CREDIT" => (Direction::Credit, item.credit, item.debit),
        "DEBIT" => (Direction::Debit, item.debit, item.credit),
        a => return Err(quarantine(format!("unknown action '{a}'"))),
    };
    let own = own.ok_or_else(|| quarantine(format!("a {} item without its {} amount", direction.as_str(), direction.as_str())))?;
    let at = parse_record_timestamp(&item.date).map_err(quarantine)?;
    let mut tx = NewTransaction::new(item.id, at, direction, own.amount.0, own.currency.clone(), raw);
    tx.fee = item.fees.map(|f| f.0);
    tx.balance_after = item.balance.map(|b| b.0);
    if let Some(o) = other.filter(|o| !o.currency.eq_ignore_ascii_case(&own.currency)) {
        tx.original_amount = Some(o.amount.0.abs());
        tx.original_currency = Some(o.currency);
        tx.fx_rate = item.rate.map(|r| r.0);
    }
    tx.description = item.description;
    tx.category = item.kind;
    tx.counterparty = item.counterpart.and_then(|c| c.name.or(c.id));
    tx.reference = item
        .tags
        .as_ref()
        .and_then(|t| t.get("external_bank_ref"))
        .and_then(|v| v.as_str().map(str::to_string))
        .or(item.execution_id);
    Ok(tx)
}

/// A statement page body, each item converted (or quarantined) on its own,
/// as the connector reads it; for fuzzing.
pub fn parse_page(body: &[u8]) -> Result<Vec<ParsedRecord>, serde_json::Error> {
    let page: ItemsPage = serde_json::from_slice(body)?;
    Ok(page.items.iter().map(|r| record(r.get())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_item_parses_exactly() {
        let raw = r#"{"type":"payment","id":"edde16fb","description":"INCOMING MONEY XFR","date":"2024-02-29T09:10:06.066Z",
            "action":"CREDIT","debit":{"amount":120000,"currency":"USD"},"credit":{"amount":120000.10,"currency":"USD"},
            "fees":0,"balance":12437697.2263,"counterpart":{"currency":"USD","id":"UKNWBK60161529100024","type":"funding_method"},
            "user_tags":{},"tags":{"external_swift":"CHASGB2L","external_bank_ref":"3052935"}}"#;
        let t = record(raw).unwrap();
        assert_eq!(t.amount.to_string(), "120000.10");
        assert_eq!(t.balance_after.unwrap().to_string(), "12437697.2263");
        assert_eq!(t.counterparty.as_deref(), Some("UKNWBK60161529100024"));
        assert_eq!(t.reference.as_deref(), Some("3052935"));
        assert!(t.original_currency.is_none());
    }

    #[test]
    fn a_date_the_cache_cannot_hold_is_quarantined() {
        let raw = r#"{"type":"payment","id":"z","date":"0001-01-01T00:00:00Z","action":"CREDIT","credit":{"amount":1,"currency":"USD"}}"#;
        let q = record(raw).expect_err("Go's zero time");
        assert!(q.reason.contains("0001-01-01T00:00:00Z") && q.reason.contains("zero time"), "{}", q.reason);
    }
}
