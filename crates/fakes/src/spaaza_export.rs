//! The Spaaza wallet-ledger export file: segment filters and CSV/JSON text.
//!
//! CSV: UTF-8 BOM, CRLF line ends, RFC 4180 quoting (descriptions hold
//! commas, quotes and newlines), header row with these columns:
//! `id, wallet_id, user_id, member_number, chain_id, timestamp, entry_type,
//! amount, balance, currency, description, campaign, retailer_basket_code,
//! expires_at`. `entry_type` is `credit`/`debit`, `amount` positive,
//! `balance` the wallet balance after the entry, `timestamp` RFC 3339 with a
//! `+02:00` offset and whole seconds. JSON: an array of objects with the same
//! keys (ids and money as JSON numbers).

use crate::common::{BAD_AMOUNT, BAD_DATE};
use crate::config::SpaazaCsv;
use crate::data::{Direction, FakeTx, FakeWallet};
use crate::fault::Malformed;
use crate::json::{array, Obj};
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use serde_json::Value;

pub const COLUMNS: [&str; 14] = [
    "id",
    "wallet_id",
    "user_id",
    "member_number",
    "chain_id",
    "timestamp",
    "entry_type",
    "amount",
    "balance",
    "currency",
    "description",
    "campaign",
    "retailer_basket_code",
    "expires_at",
];

#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// `is_after_date`: strictly after.
    After(DateTime<Utc>),
    /// `is_between_date`: both ends inclusive.
    Between(DateTime<Utc>, DateTime<Utc>),
    /// `relative_less_than`: within this long before the export runs.
    Within(Duration),
}

/// The `trigger.segment` of a task; no rules = every entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// `join: any` (else all rules must hold).
    pub any: bool,
    pub rules: Vec<Rule>,
}

fn date(rule: &Value, key: &str) -> Result<DateTime<Utc>, String> {
    let s = rule.get(key).and_then(Value::as_str).ok_or_else(|| format!("{key} is required"))?;
    crate::common::parse_time(s, key == "end_date").ok_or_else(|| format!("invalid {key}: {s}"))
}

impl Filter {
    /// Parses `trigger.segment` (absent = no filter).
    pub fn parse(segment: Option<&Value>) -> Result<Filter, String> {
        let Some(seg) = segment.filter(|s| !s.is_null()) else {
            return Ok(Filter::default());
        };
        let any = seg.get("join").and_then(Value::as_str) == Some("any");
        let mut rules = Vec::new();
        for rule in seg.get("rules").and_then(Value::as_array).into_iter().flatten() {
            if rule.get("field_name").and_then(Value::as_str) != Some("timestamp") {
                continue;
            }
            let r = match rule.get("operator").and_then(Value::as_str).unwrap_or("") {
                "is_after_date" => Rule::After(date(rule, "start_date")?),
                "is_between_date" => Rule::Between(date(rule, "start_date")?, date(rule, "end_date")?),
                "relative_less_than" => {
                    let amount = rule.get("time_amount").and_then(Value::as_i64).ok_or("time_amount is required")?;
                    let unit = match rule.get("time_factor").and_then(Value::as_str).unwrap_or("") {
                        "minute" => Duration::minutes(1),
                        "hour" => Duration::hours(1),
                        "day" => Duration::days(1),
                        "week" => Duration::weeks(1),
                        "month" => Duration::days(30),
                        "year" => Duration::days(365),
                        f => return Err(format!("invalid time_factor: {f}")),
                    };
                    Rule::Within(unit * amount as i32)
                }
                op => return Err(format!("unsupported operator: {op}")),
            };
            rules.push(r);
        }
        Ok(Filter { any, rules })
    }

    pub fn keeps(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        if self.rules.is_empty() {
            return true;
        }
        let hold = |r: &Rule| match r {
            Rule::After(s) => at > *s,
            Rule::Between(s, e) => at >= *s && at <= *e,
            Rule::Within(d) => at >= now - *d,
        };
        if self.any { self.rules.iter().any(hold) } else { self.rules.iter().all(hold) }
    }
}

/// One exported ledger entry.
#[derive(Clone, Debug)]
pub struct ExportRow {
    pub wallet_id: String,
    pub user_id: String,
    pub tx: FakeTx,
}

/// The entries of `wallets` the filter keeps, oldest first.
pub fn select(wallets: &[FakeWallet], filter: &Filter, now: DateTime<Utc>) -> Vec<ExportRow> {
    let mut rows: Vec<ExportRow> = wallets
        .iter()
        .flat_map(|w| w.txs.iter().map(move |t| (w, t)))
        .filter(|(_, t)| filter.keeps(t.at, now))
        .map(|(w, t)| ExportRow { wallet_id: w.id.clone(), user_id: w.owner.clone(), tx: t.clone() })
        .collect();
    // A wallet's rows of one instant keep its listing order.
    rows.sort_by(|a, b| (a.tx.at, a.tx.seq, &a.tx.id).cmp(&(b.tx.at, b.tx.seq, &b.tx.id)));
    rows
}

/// The values of one row, in [`COLUMNS`] order.
fn values(r: &ExportRow, chain: u64, bad: Option<Malformed>) -> [String; 14] {
    let t = &r.tx;
    let ts = match FixedOffset::east_opt(7200) {
        Some(offset) => t.at.with_timezone(&offset).to_rfc3339_opts(SecondsFormat::Secs, false),
        None => t.at.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    let expires = (t.direction == Direction::Credit && t.seq.is_multiple_of(3))
        .then(|| (t.at + Duration::days(365)).format("%Y-%m-%d").to_string());
    [
        t.id.clone(),
        r.wallet_id.clone(),
        r.user_id.clone(),
        format!("M-{}", r.user_id),
        chain.to_string(),
        if bad == Some(Malformed::Date) { BAD_DATE.into() } else { ts },
        if t.direction == Direction::Credit { "credit".into() } else { "debit".into() },
        if bad == Some(Malformed::Amount) { BAD_AMOUNT.into() } else { t.amount.to_string() },
        t.balance_after.to_string(),
        t.currency.clone(),
        t.description.clone(),
        t.category.clone(),
        if t.direction == Direction::Debit { format!("BSK-{:06}", t.seq) } else { String::new() },
        expires.unwrap_or_default(),
    ]
}

/// The CSV file: BOM, CRLF, quoted where needed.
pub fn csv(rows: &[ExportRow], chain: u64, variant: &SpaazaCsv, malformed: Option<Malformed>) -> Vec<u8> {
    let keep: Vec<usize> = (0..COLUMNS.len())
        .filter(|i| !matches!(variant, SpaazaCsv::MissingColumn(c) if c.eq_ignore_ascii_case(COLUMNS[*i])))
        .collect();
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let header: Vec<String> = keep
            .iter()
            .map(|i| if *variant == SpaazaCsv::UppercaseHeaders { COLUMNS[*i].to_ascii_uppercase() } else { COLUMNS[*i].into() })
            .collect();
        let _ = w.write_record(&header);
        let bad = crate::common::bad_index(malformed, rows.len());
        for (n, r) in rows.iter().enumerate() {
            let v = values(r, chain, crate::common::fault_at(bad, n));
            let _ = w.write_record(keep.iter().map(|i| v[*i].as_str()));
        }
        let _ = w.flush();
    }
    out
}

/// The JSON file: an array of objects keyed like the CSV header.
pub fn json(rows: &[ExportRow], chain: u64, malformed: Option<Malformed>) -> Vec<u8> {
    let bad = crate::common::bad_index(malformed, rows.len());
    let items = rows.iter().enumerate().map(|(n, r)| {
        let v = values(r, chain, crate::common::fault_at(bad, n));
        let mut o = Obj::new();
        for (i, col) in COLUMNS.iter().enumerate() {
            let numeric = matches!(*col, "id" | "wallet_id" | "user_id" | "chain_id" | "amount" | "balance");
            o = if numeric && v[i].parse::<rust_decimal::Decimal>().is_ok() { o.raw(col, &v[i]) } else { o.str(col, &v[i]) };
        }
        o.finish()
    });
    array(items).into_bytes()
}
