//! Property: after any sequence of pages of inserts, updates (changed raw
//! text) and status changes committed through `Cache::commit_page` into a
//! real SQLite file, each period's summary of each wallet equals the sums of
//! the rows as they finally are (failed rows count for nothing), in several
//! zones: UTC months, Asia/Kathmandu (+05:45) days, America/New_York months
//! (DST) and Asia/Kolkata (+05:30) ISO weeks, all read from the same
//! zone-independent rollups.

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, NewTransaction, Provider, TxStatus};
use walletbook_review::summary::{summarise, Period, SummaryRequest};

/// One write: a whole row (insert or update), or only a new status of a row written before.
#[derive(Debug, Clone)]
enum Op {
    Put { wallet: usize, id: u8, minutes: i64, credit: bool, cents: i64, fee_cents: Option<i64>, status: u8 },
    Restatus { wallet: usize, id: u8, status: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, 0..8u8, 0..(366 * 24 * 60i64), any::<bool>(), 1..1_000_000i64, prop::option::of(0..500i64), 0..4u8)
            .prop_map(|(wallet, id, minutes, credit, cents, fee_cents, status)| Op::Put { wallet, id, minutes, credit, cents, fee_cents, status }),
        1 => (0..2usize, 0..8u8, 0..4u8).prop_map(|(wallet, id, status)| Op::Restatus { wallet, id, status }),
    ]
}

fn status(n: u8) -> TxStatus {
    [TxStatus::Completed, TxStatus::Pending, TxStatus::Failed, TxStatus::Unknown][usize::from(n % 4)]
}

/// The row as a sync would hand it over; the raw text holds every field, so it changes whenever a field does.
fn row(id: u8, minutes: i64, credit: bool, cents: i64, fee_cents: Option<i64>, st: TxStatus, currency: &str) -> NewTransaction {
    let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("start") + Duration::minutes(minutes);
    let direction = if credit { Direction::Credit } else { Direction::Debit };
    let amount = Decimal::new(cents, 2);
    let fee = fee_cents.map(|f| Decimal::new(f, 2));
    let raw = format!(r#"{{"id":"{id}","m":{minutes},"c":{credit},"a":"{amount}","f":{fee:?},"s":"{}"}}"#, st.as_str());
    let mut t = NewTransaction::new(format!("r{id}"), at, direction, amount, currency, raw);
    t.fee = fee;
    t.status = st;
    t
}

/// The zones and periods checked, with the label format of a period.
const VIEWS: [(&str, Period, &str); 4] = [("UTC", Period::Month, "%Y-%m"), ("Asia/Kathmandu", Period::Day, "%Y-%m-%d"), ("America/New_York", Period::Month, "%Y-%m"), ("Asia/Kolkata", Period::Week, "%G-W%V")];

/// Per (wallet, period label): credits, debits, fees, count, pending.
type Sums = BTreeMap<(i64, String), (Decimal, Decimal, Decimal, i64, i64)>;

async fn check(pages: Vec<Vec<Op>>) -> Vec<(&'static str, Sums, Sums)> {
    let (_dir, cache) = cache().await;
    let wallets = [(wallet(&cache, Provider::Papaya, "USD", None).await, "USD"), (wallet(&cache, Provider::Exlr8, "EUR", None).await, "EUR")];
    let mut rows: BTreeMap<(usize, u8), NewTransaction> = BTreeMap::new();
    for page in pages {
        let mut by_wallet: BTreeMap<usize, Vec<NewTransaction>> = BTreeMap::new();
        for op in page {
            let t = match op {
                Op::Put { wallet, id, minutes, credit, cents, fee_cents, status: s } => (wallet, row(id, minutes, credit, cents, fee_cents, status(s), wallets[wallet].1)),
                Op::Restatus { wallet, id, status: s } => match rows.get(&(wallet, id)) {
                    Some(old) => {
                        let minutes = (old.occurred_at - Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("start")).num_minutes();
                        let cents = (old.amount * Decimal::from(100)).trunc().try_into().unwrap_or(1);
                        let fee = old.fee.map(|f| (f * Decimal::from(100)).trunc().try_into().unwrap_or(0));
                        (wallet, row(id, minutes, old.direction == Direction::Credit, cents, fee, status(s), wallets[wallet].1))
                    }
                    None => continue,
                },
            };
            let id = t.1.record_id.trim_start_matches('r').parse().expect("id");
            rows.insert((t.0, id), t.1.clone());
            by_wallet.entry(t.0).or_default().push(t.1);
        }
        for (w, page) in by_wallet {
            cache.commit_page(wallets[w].0, None, page.into_iter().map(Ok).collect(), None).await.expect("commit");
        }
    }
    let mut out = Vec::new();
    for (zone, period, label) in VIEWS {
        let tz: chrono_tz::Tz = zone.parse().expect("zone");
        out.push((zone, summary(&cache, zone, period).await, model(&rows, &wallets, tz, label)));
    }
    cache.close().await;
    out
}

fn model(rows: &BTreeMap<(usize, u8), NewTransaction>, wallets: &[(i64, &str); 2], tz: chrono_tz::Tz, label: &str) -> Sums {
    let mut want = Sums::new();
    for ((w, _), t) in rows.iter().filter(|(_, t)| t.status != TxStatus::Failed) {
        let e = want.entry((wallets[*w].0, t.occurred_at.with_timezone(&tz).format(label).to_string())).or_default();
        match t.direction {
            Direction::Credit => e.0 += t.amount,
            Direction::Debit => e.1 += t.amount,
        }
        e.2 += t.fee.unwrap_or_default();
        e.3 += 1;
        e.4 += i64::from(t.status == TxStatus::Pending);
    }
    want
}

async fn summary(cache: &Cache, zone: &str, period: Period) -> Sums {
    let req = SummaryRequest { period, zone: Some(zone.into()), ..Default::default() };
    let s = summarise(cache, &req).await.expect("summary");
    s.rows
        .into_iter()
        .filter(|r| r.count > 0)
        .map(|r| ((r.wallet_id, r.period.clone()), (r.credits, r.debits, r.fees, r.count, r.pending)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn summaries_equal_the_sum_of_the_rows(pages in prop::collection::vec(prop::collection::vec(op(), 1..8), 1..6)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        for (zone, got, want) in rt.block_on(check(pages)) {
            prop_assert_eq!(got, want, "{}", zone);
        }
    }
}
