//! The seeded generator behind the demo workspace. Same seed, same rows:
//! ids, times, amounts, texts and raw records never depend on the clock.
//!
//! Balances chain under [`crate::rules`]: each moving row changes the
//! balance by its delta, pending and failed rows leave it alone.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::json;
use walletbook_core::model::{Direction, NewTransaction, Provider, TxStatus};

use super::spec::{texts, WalletSpec};
use crate::rules;

/// The demo's fixed seed.
pub const SEED: u64 = 0x5EED_2024_0001;
/// Number of days of history (2024-01-01 through 2025-12-31).
pub const DAYS: i64 = 731;

/// The first day of the demo history.
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}

/// When the demo's current balances were "reported": just after the history.
pub fn balance_as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default()
}

/// One wallet's generated history and its final balance.
pub struct Generated {
    pub records: Vec<NewTransaction>,
    pub final_balance: Decimal,
}

struct State<'a> {
    spec: &'a WalletSpec,
    rng: StdRng,
    balance: Decimal,
    serial: u64,
    index: u64,
}

/// Generate one wallet's two years of history. `index` is the wallet's
/// position in [`super::spec::WALLETS`] and picks its random stream.
pub fn generate(spec: &WalletSpec, index: usize) -> Generated {
    let mut s = State { spec, rng: StdRng::seed_from_u64(SEED ^ ((index as u64 + 1) * 0x9E37_79B9)), balance: Decimal::new(spec.opening_cents, 2), serial: 0, index: index as u64 };
    let mut records = Vec::new();
    let start = Utc.from_utc_datetime(&first_day().and_hms_opt(0, 0, 0).unwrap_or_default());
    for day in 0..DAYS {
        let n = s.rng.random_range(0..=3u32);
        let mut secs: Vec<i64> = (0..n).map(|_| s.rng.random_range(6 * 3600..23 * 3600)).collect();
        secs.sort_unstable();
        let mut last: Option<DateTime<Utc>> = None;
        for sec in secs {
            let mut at = start + Duration::days(day) + Duration::seconds(sec);
            if spec.provider == Provider::Papaya {
                at += Duration::milliseconds(s.rng.random_range(0..1000));
            }
            if spec.provider == Provider::Baanx {
                at -= Duration::seconds(sec % 60);
            }
            // Now and then two rows share a timestamp, as real exports do.
            if let Some(prev) = last {
                if s.rng.random_range(0..12) == 0 || at < prev {
                    at = prev;
                }
            }
            last = Some(at);
            records.push(next_row(&mut s, at, day));
        }
    }
    Generated { records, final_balance: s.balance }
}

fn next_row(s: &mut State<'_>, at: DateTime<Utc>, day: i64) -> NewTransaction {
    let spec = s.spec;
    let p = spec.provider;
    let texts = texts(p);
    let typical = spec.typical_cents;
    let mut units = s.rng.random_range(typical / 5..=typical * 2);
    let wants_credit = s.rng.random_range(0..100) < 35;
    let fee_units = if p == Provider::Papaya { (units / 200).max(50) } else { 0 };
    let affordable = Decimal::new(units + fee_units, 2) <= s.balance;
    let direction = if wants_credit || !affordable { Direction::Credit } else { Direction::Debit };
    if direction == Direction::Credit && !wants_credit {
        units = units.saturating_mul(6);
    }
    let amount = Decimal::new(units, 2);
    let fee = (direction == Direction::Debit && p == Provider::Papaya).then(|| Decimal::new(fee_units, 2));
    let status = pick_status(s, day);
    let choices = if direction == Direction::Credit { texts.credits } else { texts.debits };
    let (description, counterparty, category) = choices[s.rng.random_range(0..choices.len())];
    s.serial += 1;
    let reference = texts.reference.map(|prefix| reference(prefix, at, s.serial));

    let before = s.balance;
    s.balance += rules::delta(direction, amount, fee.unwrap_or_default(), status);
    let after = s.balance;

    let mut t = NewTransaction::new(record_id(s, at), at, direction, amount, spec.currency, String::new());
    t.fee = fee;
    t.status = status;
    t.description = Some(description.to_string());
    t.counterparty = Some(counterparty.to_string());
    t.reference = reference;
    t.category = Some(category.to_string());
    match p {
        Provider::Spaaza | Provider::Papaya => t.balance_after = Some(after),
        Provider::Flexprice | Provider::Exlr8 => {
            t.balance_before = Some(before);
            t.balance_after = Some(after);
        }
        Provider::Baanx => t.id_derived = true,
    }
    add_fx(s, &mut t);
    t.raw = raw_record(spec, &t).to_string();
    t
}

fn pick_status(s: &mut State<'_>, day: i64) -> TxStatus {
    let roll = s.rng.random_range(0..100);
    match s.spec.provider {
        Provider::Flexprice if day >= DAYS - 10 && roll < 30 => TxStatus::Pending,
        Provider::Flexprice if roll < 2 => TxStatus::Failed,
        Provider::Flexprice if roll < 3 => TxStatus::Pending,
        Provider::Papaya | Provider::Exlr8 if roll < 1 => TxStatus::Failed,
        Provider::Baanx if day >= DAYS - 3 && roll < 25 => TxStatus::Pending,
        _ => TxStatus::Completed,
    }
}

fn reference(prefix: &str, at: DateTime<Utc>, serial: u64) -> String {
    match prefix {
        "inv_" => format!("inv_{}{:05}", at.format("%Y%m"), serial),
        "PAY" => format!("PAY-{}-{:04}", at.format("%Y-%m"), serial % 10_000),
        other => format!("{other}-{:08}", 40_000_000 + serial * 7),
    }
}

fn record_id(s: &mut State<'_>, at: DateTime<Utc>) -> String {
    const B32: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    match s.spec.provider {
        // Spaaza numbers ledger rows consecutively per wallet.
        Provider::Spaaza => (2_000_000_000u64 + s.index * 10_000_000 + s.serial).to_string(),
        Provider::Flexprice => {
            let tail: String = (0..23).map(|_| B32[s.rng.random_range(0..B32.len())] as char).collect();
            format!("wtx_01H{tail}")
        }
        Provider::Papaya => {
            let a: u32 = s.rng.random();
            let b: u16 = s.rng.random();
            let c: u16 = s.rng.random::<u16>() & 0x0fff;
            let d: u16 = (s.rng.random::<u16>() & 0x3fff) | 0x8000;
            let e: u64 = s.rng.random::<u64>() & 0xffff_ffff_ffff;
            format!("{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}")
        }
        Provider::Exlr8 => format!("TXN{:010}", 7_000_000 + s.serial * 3),
        // Baanx serves no ids: a stable id derived from the row's content.
        Provider::Baanx => format!("derived:{:016x}", fnv(&format!("{}|{}|{}", s.spec.provider_wallet_id, at.timestamp(), s.serial))),
    }
}

fn add_fx(s: &mut State<'_>, t: &mut NewTransaction) {
    let fx_roll = s.rng.random_range(0..5);
    match (s.spec.provider, s.spec.currency, t.direction) {
        (Provider::Exlr8, "INR", Direction::Credit) if fx_roll == 0 => {
            let rate = Decimal::new(8300 + s.rng.random_range(0..250), 2);
            let usd = (t.amount / rate).round_dp(2);
            t.original_amount = Some(usd);
            t.original_currency = Some("USD".into());
            t.fx_rate = Some(rate);
        }
        (Provider::Papaya, "EUR", Direction::Debit) if fx_roll == 0 => {
            let rate = Decimal::new(8400 + s.rng.random_range(0..300), 4);
            t.original_amount = Some((t.amount * rate).round_dp(2));
            t.original_currency = Some("GBP".into());
            t.fx_rate = Some(rate);
        }
        _ => {}
    }
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// The record as the provider would have sent it (shape simplified).
fn raw_record(spec: &WalletSpec, t: &NewTransaction) -> serde_json::Value {
    let at = t.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let dir = t.direction.as_str();
    let s = |d: Option<Decimal>| d.map(|d| d.to_string());
    match spec.provider {
        Provider::Spaaza => json!({"demo": true, "id": t.record_id, "wallet_id": spec.provider_wallet_id, "timestamp": at, "entry_type": dir,
            "amount": t.amount.to_string(), "balance": s(t.balance_after), "currency": spec.currency, "description": t.description,
            "campaign": t.category, "retailer_basket_code": t.reference, "retailer": t.counterparty}),
        Provider::Flexprice => json!({"demo": true, "id": t.record_id, "wallet_id": spec.provider_wallet_id, "type": dir,
            "amount": t.amount.to_string(), "credit_balance_before": s(t.balance_before), "credit_balance_after": s(t.balance_after),
            "transaction_status": t.status.as_str(), "transaction_reason": t.category, "description": t.description,
            "reference_id": t.reference, "customer_name": t.counterparty, "created_at": at}),
        Provider::Papaya => json!({"demo": true, "id": t.record_id, "date": at, "type": dir.to_uppercase(), "amount": t.amount.to_string(),
            "fees": s(t.fee), "balance": s(t.balance_after), "currency": spec.currency, "status": t.status.as_str(),
            "description": t.description, "beneficiary": t.counterparty, "payment_reference": t.reference,
            "rate": s(t.fx_rate), "original_amount": s(t.original_amount), "original_currency": t.original_currency}),
        Provider::Exlr8 => json!({"demo": true, "transactionID": t.record_id, "walletID": spec.provider_wallet_id, "activity": t.category,
            "amount": t.amount.to_string(), "balanceBefore": s(t.balance_before), "balanceAfter": s(t.balance_after),
            "currency": spec.currency, "status": t.status.as_str(), "remarks": t.description, "brand": t.counterparty,
            "orderID": t.reference, "createdAt": at, "conversionRate": s(t.fx_rate), "sourceAmount": s(t.original_amount)}),
        Provider::Baanx => json!({"demo": true, "date": at, "type": t.category, "direction": dir, "amount": t.amount.to_string(),
            "currency": spec.currency, "status": t.status.as_str(), "description": t.description, "merchant": t.counterparty}),
    }
}
