//! One ledger row (a CSV line or a JSON object, as header/value text pairs)
//! into a transaction, or into quarantine with the reason.

use rust_decimal::Decimal;
use walletbook_core::model::{Direction, NewTransaction, QuarantinedRecord, TxStatus};
use walletbook_core::money::parse_decimal;
use walletbook_core::time::parse_record_timestamp;

use super::columns::{AmountColumns, ColumnMap};
use super::LedgerEntry;

/// Words a direction column may hold, beyond what [`Direction::parse`] reads.
const CREDIT_WORDS: &[&str] = &["earn", "earned", "topup", "top_up", "deposit", "add", "added", "issue", "issued", "reward", "refund", "+"];
const DEBIT_WORDS: &[&str] = &["spend", "spent", "redeem", "redeemed", "redemption", "withdraw", "withdrawal", "deduct", "expire", "expired", "expiry", "-"];

fn direction_word(word: &str) -> Option<Direction> {
    let w = word.trim().to_ascii_lowercase();
    Direction::parse(&w).or_else(|| {
        if CREDIT_WORDS.contains(&w.as_str()) {
            Some(Direction::Credit)
        } else if DEBIT_WORDS.contains(&w.as_str()) {
            Some(Direction::Debit)
        } else {
            None
        }
    })
}

/// The text of column `i`, trimmed; empty when the row is short.
fn cell(values: &[String], i: usize) -> &str {
    values.get(i).map(|v| v.trim()).unwrap_or("")
}

fn opt_cell(values: &[String], i: Option<usize>) -> Option<&str> {
    i.map(|i| cell(values, i)).filter(|v| !v.is_empty())
}

fn opt_decimal(values: &[String], i: Option<usize>, what: &str) -> Result<Option<Decimal>, String> {
    opt_cell(values, i).map(|v| parse_decimal(v).map_err(|e| format!("{what}: {e}"))).transpose()
}

/// Direction and positive amount, from whichever amount columns the file has.
fn signed(map: &ColumnMap, values: &[String]) -> Result<(Direction, Decimal), String> {
    match map.amount {
        AmountColumns::Single { amount, direction } => {
            let text = cell(values, amount);
            if text.is_empty() {
                return Err("the amount is empty".into());
            }
            let value = parse_decimal(text)?;
            let sign = if value.is_sign_negative() { Direction::Debit } else { Direction::Credit };
            match opt_cell(values, direction) {
                None => Ok((sign, value.abs())),
                Some(word) => match direction_word(word) {
                    Some(Direction::Credit) if value.is_sign_negative() && !value.is_zero() => Err(format!("the amount {text} is negative but the entry type says '{word}'")),
                    Some(d) => Ok((d, value.abs())),
                    None if value.is_sign_negative() => Ok((Direction::Debit, value.abs())),
                    None => Err(format!("the entry type '{word}' is neither a credit nor a debit")),
                },
            }
        }
        AmountColumns::Split { credit, debit } => {
            let c = opt_decimal(values, credit, "credit")?.filter(|d| !d.is_zero());
            let d = opt_decimal(values, debit, "debit")?.filter(|d| !d.is_zero());
            match (c, d) {
                (Some(_), Some(_)) => Err("both the credit and the debit column hold an amount".into()),
                (Some(c), None) => Ok((if c.is_sign_negative() { Direction::Debit } else { Direction::Credit }, c.abs())),
                (None, Some(d)) => Ok((Direction::Debit, d.abs())),
                (None, None) if opt_cell(values, credit).is_some() || opt_cell(values, debit).is_some() => Ok((Direction::Credit, Decimal::ZERO)),
                (None, None) => Err("neither the credit nor the debit column holds an amount".into()),
            }
        }
    }
}

/// Read one row. `raw` is the row as stored (JSON text); `default_currency`
/// applies when the file has no currency column or the cell is empty.
pub fn convert(map: &ColumnMap, values: &[String], raw: String, default_currency: Option<&str>) -> LedgerEntry {
    let wallet_id = opt_cell(values, map.wallet).map(str::to_string);
    let currency = opt_cell(values, map.currency).or(default_currency).map(str::to_string);
    let record = read(map, values, currency.as_deref()).map(|mut t| {
        t.raw = raw.clone();
        t
    });
    let record = record.map_err(|reason| QuarantinedRecord { raw, reason });
    LedgerEntry { wallet_id, currency, record }
}

fn read(map: &ColumnMap, values: &[String], currency: Option<&str>) -> Result<NewTransaction, String> {
    let id = cell(values, map.id);
    if id.is_empty() {
        return Err("the id is empty".into());
    }
    let when = cell(values, map.timestamp);
    let occurred_at = parse_record_timestamp(when).map_err(|e| format!("timestamp: {e}"))?;
    let (direction, amount) = signed(map, values)?;
    let currency = currency.ok_or("the currency is empty")?;
    let mut t = NewTransaction::new(id, occurred_at, direction, amount, currency, String::new());
    t.balance_after = opt_decimal(values, map.balance, "balance")?;
    t.balance_before = opt_decimal(values, map.balance_before, "balance before")?;
    t.fee = opt_decimal(values, map.fee, "fee")?;
    t.description = opt_cell(values, map.description).map(str::to_string);
    t.category = opt_cell(values, map.category).map(str::to_string);
    t.reference = opt_cell(values, map.reference).map(str::to_string);
    t.counterparty = opt_cell(values, map.counterparty).map(str::to_string);
    t.status = opt_cell(values, map.status).map_or(TxStatus::Completed, TxStatus::parse_lenient);
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(headers: &str) -> ColumnMap {
        let h: Vec<String> = headers.split(',').map(str::to_string).collect();
        ColumnMap::from_headers(&h, false, false).unwrap()
    }

    fn row(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn direction_from_type_column_or_sign() {
        let m = map("id,timestamp,entry_type,amount,currency");
        let t = convert(&m, &row("1,2024-05-01T10:00:00+02:00,debit,12.50,EUR"), "{}".into(), None).record.unwrap();
        assert_eq!((t.direction, t.amount.to_string(), t.occurred_at.to_rfc3339()), (Direction::Debit, "12.50".into(), "2024-05-01T08:00:00+00:00".into()));
        let t = convert(&m, &row("2,2024-05-01,,-3,EUR"), "{}".into(), None).record.unwrap();
        assert_eq!((t.direction, t.amount.to_string()), (Direction::Debit, "3".into()));
        let q = convert(&m, &row("3,2024-05-01,credit,-3,EUR"), "{}".into(), None).record.unwrap_err();
        assert!(q.reason.contains("negative"), "{}", q.reason);
        let q = convert(&m, &row("4,2024-05-01,bogus,3,EUR"), "{\"x\":1}".into(), None).record.unwrap_err();
        assert_eq!(q.raw, "{\"x\":1}");
    }

    #[test]
    fn split_columns_and_bad_values() {
        let m = map("id,date,credit,debit");
        let t = convert(&m, &row("1,2024-05-01,,7.25"), "{}".into(), Some("USD")).record.unwrap();
        assert_eq!((t.direction, t.amount.to_string(), t.currency.as_str()), (Direction::Debit, "7.25".into(), "USD"));
        let q = convert(&m, &row("2,2024-05-01,1,2"), "{}".into(), Some("USD")).record.unwrap_err();
        assert!(q.reason.contains("both"), "{}", q.reason);
        let q = convert(&m, &row("3,2024-13-45T25:61:00Z,1,"), "{}".into(), Some("USD")).record.unwrap_err();
        assert!(q.reason.starts_with("timestamp"), "{}", q.reason);
        let q = convert(&m, &row("4,2024-05-01,12.5x,"), "{}".into(), None).record.unwrap_err();
        assert!(!q.reason.is_empty());
    }
}
