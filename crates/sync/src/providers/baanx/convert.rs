//! Baanx rows -> [`NewTransaction`], and their derived ids.
//!
//! Terms: a row's *key* is (wallet, date, sign, amount, currency, name);
//! an *identical group* is a run of adjacent rows with the same key. A
//! row's *derived id* is a hash of its key plus its *occurrence*: its
//! position in its group counted from the oldest member, so rows that
//! arrive later (always newer) never change an existing id.

use walletbook_core::model::{Direction, NewTransaction, QuarantinedRecord};
use walletbook_core::time::{parse_record_timestamp, to_nanos};

use super::wire::HistoryRow;

/// A parsed row with its key (the id is set once its group is complete).
pub struct Row {
    pub key: String,
    pub tx: NewTransaction,
}

/// Parse one raw row of `wallet` (provider id and kind).
pub fn row(wallet: &str, raw: &str) -> Result<Row, QuarantinedRecord> {
    let quarantine = |reason: String| QuarantinedRecord { raw: raw.to_string(), reason: format!("Baanx history row could not be read: {reason}") };
    let r: HistoryRow = serde_json::from_str(raw).map_err(|e| quarantine(e.to_string()))?;
    let direction = match r.sign.trim().to_ascii_lowercase().as_str() {
        "credit" => Direction::Credit,
        "debit" => Direction::Debit,
        other => return Err(quarantine(format!("unknown sign '{other}'"))),
    };
    let at = parse_record_timestamp(&r.date).map_err(quarantine)?;
    let amount = r.amount.0.abs();
    let key = [wallet, &to_nanos(at).to_string(), direction.as_str(), &amount.normalize().to_string(), &r.currency, r.name.as_deref().unwrap_or("")].join("\u{1f}");
    let mut tx = NewTransaction::new(String::new(), at, direction, amount, r.currency, raw);
    tx.id_derived = true;
    tx.description = r.name;
    Ok(Row { key, tx })
}

/// The derived id of a row with `key` at `occurrence` in its group.
pub fn derived_id(key: &str, occurrence: usize) -> String {
    format!("bx-{:016x}{:016x}-{occurrence}", fnv1a(key, 0xcbf2_9ce4_8422_2325), fnv1a(key, 0x6c62_272e_07bb_0142))
}

/// FNV-1a, 64 bits: stable across builds and platforms.
fn fnv1a(s: &str, offset: u64) -> u64 {
    s.bytes().fold(offset, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// A history page body (an array of rows) of `wallet`, each row parsed on
/// its own as the connector reads it (ids are given per group later); for fuzzing.
pub fn parse_page(wallet: &str, body: &[u8]) -> Result<Vec<Result<Row, QuarantinedRecord>>, serde_json::Error> {
    let rows: Vec<Box<serde_json::value::RawValue>> = serde_json::from_slice(body)?;
    Ok(rows.iter().map(|r| row(wallet, r.get())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_row_and_stable_ids() {
        let raw = r#"{"name":"Credit withdrawal","amount":"10.00","currency":"usdc","sign":"debit","date":"2024-02-02T15:01:09.091Z"}"#;
        let r = row("w1/CREDIT", raw).unwrap();
        assert_eq!(r.tx.amount.to_string(), "10.00");
        assert_eq!(r.tx.direction, Direction::Debit);
        let same = row("w1/CREDIT", &raw.replace("10.00", "10.0")).unwrap();
        assert_eq!(derived_id(&r.key, 0), derived_id(&same.key, 0));
        assert_ne!(derived_id(&r.key, 0), derived_id(&r.key, 1));
        assert_ne!(derived_id(&r.key, 0), derived_id(&row("w2/CREDIT", raw).unwrap().key, 0));
    }

    #[test]
    fn escaped_strings_are_read() {
        let raw = r#"{"name":"a\/b","amount":"1","currency":"us\u0064c","sign":"cr\u0065dit","date":"2024-02-02T15:01:09.091\u005a"}"#;
        let r = row("w1/CREDIT", raw).expect("escapes are JSON");
        assert_eq!((r.tx.currency.as_str(), r.tx.direction, r.tx.description.as_deref()), ("usdc", Direction::Credit, Some("a/b")));
    }

    #[test]
    fn a_date_the_cache_cannot_hold_is_quarantined() {
        let raw = r#"{"amount":"1","currency":"usdc","sign":"debit","date":"0001-01-01T00:00:00Z"}"#;
        let q = row("w1/CREDIT", raw).err().expect("Go's zero time");
        assert!(q.reason.contains("0001-01-01T00:00:00Z") && q.reason.contains("zero time"), "{}", q.reason);
    }
}
