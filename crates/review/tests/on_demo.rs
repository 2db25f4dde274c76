//! Summaries and reconciliation over the demo workspace, checked against
//! totals computed here independently from the raw rows.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use sqlx::Row;
use walletbook_core::db::Cache;
use walletbook_review::demo::{load_demo, spec};
use walletbook_review::reconcile::{reconcile, ReconcileRequest};
use walletbook_review::rules::BalanceSource;
use walletbook_review::summary::{summarise, Period, SummaryRequest};

async fn demo() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::open(&dir.path().join("demo.sqlite")).await.expect("open cache");
    load_demo(&cache).await.expect("demo");
    (dir, cache)
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[tokio::test]
async fn demo_reconciles_cleanly() {
    let (_d, cache) = demo().await;
    let report = reconcile(&cache, &ReconcileRequest::default()).await.expect("reconcile");
    assert_eq!(report.wallets.len(), 11);
    for w in &report.wallets {
        assert!(w.is_clean(), "{} {}: {:?} {:?}", w.connection_name, w.wallet_name, w.breaks.first(), w.gaps.first());
        assert!(w.rows_checked > 500);
    }
}

#[tokio::test]
async fn monthly_summary_matches_independent_totals() {
    let (_d, cache) = demo().await;
    let req = SummaryRequest { period: Period::Month, zone: Some("UTC".into()), ..Default::default() };
    let summary = summarise(&cache, &req).await.expect("summary");
    assert_eq!(summary.zone, "UTC");

    // Independent: (wallet, month) -> credits, debits, fees, count; failed rows excluded.
    let mut want: BTreeMap<(i64, String), (Decimal, Decimal, Decimal, i64)> = BTreeMap::new();
    let mut by_currency: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    let rows = sqlx::query("SELECT wallet_id, occurred_at, direction, amount, fee, status, currency FROM transactions").fetch_all(cache.sqlite().expect("an SQLite cache")).await.expect("rows");
    for r in rows {
        if r.get::<String, _>(5) == "failed" {
            continue;
        }
        let month = walletbook_core::time::from_nanos(r.get(1)).format("%Y-%m").to_string();
        let e = want.entry((r.get(0), month.clone())).or_default();
        let amount = dec(r.get(3));
        let fee = r.get::<Option<String>, _>(4).map(|f| dec(&f)).unwrap_or_default();
        let signed = if r.get::<String, _>(2) == "credit" { e.0 += amount; amount } else { e.1 += amount; -amount };
        e.2 += fee;
        e.3 += 1;
        *by_currency.entry((month, r.get(6))).or_default() += signed - fee;
    }
    assert_eq!(summary.rows.len(), want.len());
    for row in &summary.rows {
        let w = &want[&(row.wallet_id, row.period.clone())];
        assert_eq!((row.credits, row.debits, row.fees, row.count), (w.0, w.1, w.2, w.3), "{} {}", row.wallet_name, row.period);
        assert_eq!(row.net, w.0 - w.1 - w.2);
        let (o, c) = (row.opening.as_ref().expect("opening"), row.closing.as_ref().expect("closing"));
        if row.provider == walletbook_core::model::Provider::Baanx {
            assert_eq!(o.source, BalanceSource::Derived);
            assert!(row.balance_check.is_none());
        } else {
            assert_eq!(o.source, BalanceSource::Reported);
            assert_eq!(row.balance_check, Some(Decimal::ZERO), "{} {}", row.wallet_name, row.period);
        }
        assert_eq!(c.amount - o.amount, row.net - pending_net(&cache, row.wallet_id, &row.period).await);
    }
    for t in &summary.totals {
        assert_eq!(t.net, by_currency[&(t.period.clone(), t.currency.clone())], "{} {}", t.period, t.currency);
    }

    // Opening of the first month and closing of the last, per wallet, against the generator.
    let wallets = cache.list_wallets().await.expect("wallets");
    for (i, s) in spec::WALLETS.iter().enumerate() {
        let w = wallets.iter().find(|w| w.provider_wallet_id == s.provider_wallet_id).expect("wallet");
        let mine: Vec<_> = summary.rows.iter().filter(|r| r.wallet_id == w.id).collect();
        let first = mine.first().expect("first month");
        let last = mine.last().expect("last month");
        assert_eq!(first.opening.as_ref().map(|b| b.amount), Some(Decimal::new(s.opening_cents, 2).normalize()), "{}", s.name);
        let generated = walletbook_review::demo::gen::generate(s, i);
        assert_eq!(last.closing.as_ref().map(|b| b.amount), Some(generated.final_balance.normalize()), "{}", s.name);
    }
}

/// Net of the wallet's pending rows in a UTC month.
async fn pending_net(cache: &Cache, wallet_id: i64, month: &str) -> Decimal {
    let rows = sqlx::query("SELECT occurred_at, direction, amount FROM transactions WHERE wallet_id = ? AND status = 'pending'").bind(wallet_id).fetch_all(cache.sqlite().expect("an SQLite cache")).await.expect("pending");
    rows.iter()
        .filter(|r| walletbook_core::time::from_nanos(r.get(0)).format("%Y-%m").to_string() == month)
        .map(|r| if r.get::<String, _>(1) == "credit" { dec(r.get(2)) } else { -dec(r.get(2)) })
        .sum()
}
