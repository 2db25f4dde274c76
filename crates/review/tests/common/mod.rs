//! Small fixtures: a cache in a temp folder with hand-made wallets and rows.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, DiscoveredWallet, NewTransaction, Provider, Settings, TxStatus};

pub async fn cache() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::open(&dir.path().join("cache.sqlite")).await.expect("open cache");
    (dir, cache)
}

pub fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

pub fn at(s: &str) -> DateTime<Utc> {
    walletbook_core::time::parse_timestamp(s).expect("time")
}

pub async fn wallet(cache: &Cache, provider: Provider, currency: &str, balance: Option<&str>) -> i64 {
    let name = format!("Test {} {currency}", provider.as_str());
    let conn = match cache.connection_by_name(&name).await {
        Ok(c) => c,
        Err(_) => cache.add_connection(&name, provider, "test://", &Settings::new()).await.expect("connection"),
    };
    let w = DiscoveredWallet { provider_wallet_id: format!("w-{currency}"), kind: "WALLET".into(), currency: currency.into(), name: Some(format!("Wallet {currency}")), current_balance: balance.map(d) };
    cache.upsert_wallet(conn.id, &w).await.expect("wallet")
}

/// A row; `bal` = (before, after) when given.
pub fn tx(id: &str, when: &str, dir: Direction, amount: &str, currency: &str, bal: Option<(&str, &str)>) -> NewTransaction {
    let mut t = NewTransaction::new(id, at(when), dir, d(amount), currency, format!(r#"{{"id":"{id}","amount":"{amount}"}}"#));
    if let Some((b, a)) = bal {
        t.balance_before = Some(d(b));
        t.balance_after = Some(d(a));
    }
    t.description = Some(format!("row {id}"));
    t.status = TxStatus::Completed;
    t
}

pub async fn commit(cache: &Cache, wallet: i64, rows: Vec<NewTransaction>) {
    cache.commit_page(wallet, None, rows.into_iter().map(Ok).collect(), None).await.expect("commit");
}

/// Row ids of every history page of `q`, walked by cursor to the end.
pub async fn all_pages(cache: &Cache, mut q: walletbook_review::history::HistoryQuery) -> Vec<i64> {
    let mut ids = Vec::new();
    loop {
        let page = walletbook_review::history::history_page(cache, &q).await.expect("page");
        ids.extend(page.rows.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return ids,
        }
    }
}
