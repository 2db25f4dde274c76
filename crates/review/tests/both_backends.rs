//! One store suite, run on SQLite and on PostgreSQL: the same bodies build
//! the demo workspace through the real write path (`Cache::commit_page`),
//! then read history pages and cursors, seek, count, text search (rows and
//! notes), summaries in several zones, reconciliation and CSV exports. Each
//! body returns a transcript; on PostgreSQL it must equal SQLite's line for
//! line (exports byte for byte).

#[macro_use]
mod both;

use std::path::Path;

use rust_decimal::Decimal;
use walletbook_core::db::Cache;
use walletbook_core::model::{Direction, Provider, TxStatus};
use walletbook_review::annotations::{add_note, add_tag, mark_reviewed, NoteTarget};
use walletbook_review::demo::load_demo;
use walletbook_review::export::statement::{export_statement, StatementRequest};
use walletbook_review::export::{export_history, AmountStyle, DateStyle, ExportFormat, ExportOptions};
use walletbook_review::history::{history_count, history_page, history_seek, transaction_detail, HistoryFilter, HistoryQuery, SortKey, SortOrder};
use walletbook_review::reconcile::{reconcile, ReconcileRequest};
use walletbook_review::summary::{summarise, Period, SummaryRequest};

on_both_backends!(history_pages_cursors_and_counts, seek_matches_paging, text_search_finds_the_same_rows, summaries_in_three_zones, reconciliation_and_exports, upserts_move_rows_and_rollups, searches_with_many_matches);

const SORTS: [(SortKey, SortOrder); 4] = [(SortKey::Time, SortOrder::Desc), (SortKey::Time, SortOrder::Asc), (SortKey::Amount, SortOrder::Asc), (SortKey::Amount, SortOrder::Desc)];

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// Filters of every kind the history takes.
fn filters() -> Vec<HistoryFilter> {
    vec![
        HistoryFilter::default(),
        HistoryFilter { min_amount: Some(dec("10")), max_amount: Some(dec("100.50")), currencies: vec!["eur".into()], ..Default::default() },
        HistoryFilter { from: Some("2025-03-01".into()), to: Some("2025-03-31".into()), statuses: vec![TxStatus::Pending, TxStatus::Completed], ..Default::default() },
        HistoryFilter { direction: Some(Direction::Debit), providers: vec![Provider::Papaya, Provider::Baanx], ..Default::default() },
        HistoryFilter { text: Some("redemption".into()), ..Default::default() },
        HistoryFilter { text: Some("Albert Heij".into()), to: Some("2024-06-30T12:00:00Z".into()), ..Default::default() },
    ]
}

/// One line per row: everything a history row shows.
fn row_lines(rows: &[walletbook_review::history::HistoryRow]) -> Vec<String> {
    rows.iter().map(|r| serde_json::to_string(r).expect("json")).collect()
}

async fn history_pages_cursors_and_counts(cache: &Cache) -> Vec<String> {
    load_demo(cache).await.expect("demo");
    let mut out = Vec::new();
    for filter in filters() {
        let count = history_count(cache, &filter, Some("Europe/Amsterdam")).await.expect("count");
        out.push(format!("count {count}"));
        for (sort, order) in SORTS {
            let mut q = HistoryQuery { filter: filter.clone(), sort, order, limit: 97, zone: Some("Europe/Amsterdam".into()), with_total: true, ..Default::default() };
            for _ in 0..3 {
                let page = history_page(cache, &q).await.expect("page");
                assert_eq!(page.total, Some(count), "a page's total is the count");
                out.extend(row_lines(&page.rows));
                out.push(format!("cursor {:?}", page.next_cursor));
                match page.next_cursor {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
            }
        }
    }
    assert!(out.len() > 1000, "the demo fills pages");
    out
}

async fn seek_matches_paging(cache: &Cache) -> Vec<String> {
    load_demo(cache).await.expect("demo");
    let mut out = Vec::new();
    for (sort, order) in SORTS {
        let q = HistoryQuery { sort, order, limit: 50, zone: Some("UTC".into()), ..Default::default() };
        let first = history_page(cache, &q).await.expect("page");
        let second = history_page(cache, &HistoryQuery { cursor: first.next_cursor.clone(), ..q.clone() }).await.expect("page");
        let sought = history_seek(cache, &q, 50).await.expect("seek");
        assert_eq!(sought.rows, second.rows, "seek to 50 is the second page");
        assert_eq!(sought.next_cursor, second.next_cursor, "and continues like it");
        for position in [0, 7, 1234, 1_000_000] {
            let page = history_seek(cache, &q, position).await.expect("seek");
            out.push(format!("{sort:?} {order:?} at {position}: {:?}", page.rows.iter().map(|r| r.id).collect::<Vec<_>>()));
            out.push(format!("cursor {:?}", page.next_cursor));
        }
    }
    let detail = transaction_detail(cache, 42, Some("Asia/Kolkata")).await.expect("detail");
    out.push(serde_json::to_string(&detail).expect("json"));
    out
}

async fn text_search_finds_the_same_rows(cache: &Cache) -> Vec<String> {
    load_demo(cache).await.expect("demo");
    add_note(cache, NoteTarget::Transaction(17), "Duplicate charge, agreed with the client", "ann").await.expect("note");
    add_note(cache, NoteTarget::Transaction(4242), "Client asked for the invoice", "ann").await.expect("note");
    add_note(cache, NoteTarget::Transaction(555), "Reçu signé au café de Zürich", "ann").await.expect("note");
    add_tag(cache, 17, "VAT", "ann").await.expect("tag");
    add_tag(cache, 99, "vat", "ann").await.expect("tag");
    add_tag(cache, 99, "To check", "ann").await.expect("tag");
    mark_reviewed(cache, &[17, 18, 19, 99], "ann").await.expect("mark");
    let mut out = Vec::new();
    let words = ["duplicate", "dupl", "client", "duplicate charge", "charge client", "client redemption", "Redemption online", "refund damaged", "\"damaged\"", "bol.com", "bol", "com", "heijn utr", "utrecht albert", "Albert", "albert heijn utrecht", "BSK", "🎂", "x-y", "--", "BSK-2025", "2025 BSK", "jose garcia", "GARCÍA", "Zoë", "zoe muller", "müll", "recu signe", "cafe zurich", "ZÜRICH"];
    for text in words {
        let filter = HistoryFilter { text: Some(text.into()), ..Default::default() };
        let count = history_count(cache, &filter, Some("UTC")).await.expect("count");
        let page = history_page(cache, &HistoryQuery { filter, limit: 20, zone: Some("UTC".into()), ..Default::default() }).await.expect("search");
        out.push(format!("{text:?}: {count} {:?}", page.rows.iter().map(|r| r.id).collect::<Vec<_>>()));
    }
    assert!(out[0].contains("[17]"), "a note's word finds its row: {}", out[0]);
    for (i, text) in words.iter().enumerate().filter(|(_, w)| ["jose garcia", "zoe muller", "müll"].contains(w)) {
        assert!(!out[i].contains(": 0 "), "accents are ignored ({text}): {}", out[i]);
    }
    let cafe = out.iter().find(|l| l.starts_with("\"cafe zurich\"")).expect("searched");
    assert!(cafe.contains("[555]"), "a note's words are found without their accents: {cafe}");
    for filter in [
        HistoryFilter { tags: vec!["vat".into()], ..Default::default() },
        HistoryFilter { tags: vec!["to check".into(), "VAT".into()], ..Default::default() },
        HistoryFilter { has_note: true, ..Default::default() },
        HistoryFilter { not_reviewed: true, wallet_ids: vec![1], ..Default::default() },
    ] {
        let page = history_page(cache, &HistoryQuery { filter: filter.clone(), limit: 10, zone: Some("UTC".into()), ..Default::default() }).await.expect("page");
        out.extend(row_lines(&page.rows));
        out.push(format!("count {}", history_count(cache, &filter, None).await.expect("count")));
    }
    out
}

async fn summaries_in_three_zones(cache: &Cache) -> Vec<String> {
    load_demo(cache).await.expect("demo");
    let mut out = Vec::new();
    for zone in ["UTC", "Asia/Kathmandu", "America/St_Johns"] {
        for (period, from, to) in [(Period::Month, None, None), (Period::Week, Some("2025-03-20"), Some("2025-04-10")), (Period::Day, Some("2025-10-25"), Some("2025-10-27")), (Period::Whole, None, None), (Period::Year, None, Some("2024-12-31"))] {
            let req = SummaryRequest { period, zone: Some(zone.into()), from: from.map(str::to_string), to: to.map(str::to_string), ..Default::default() };
            let summary = summarise(cache, &req).await.expect("summary");
            assert!(!summary.rows.is_empty(), "{zone} {period:?} has rows");
            out.push(serde_json::to_string(&summary).expect("json"));
        }
    }
    out
}

async fn reconciliation_and_exports(cache: &Cache) -> Vec<String> {
    load_demo(cache).await.expect("demo");
    add_note(cache, NoteTarget::Transaction(5), "Line one\nline two, \"quoted\"", "ann").await.expect("note");
    add_tag(cache, 5, "vat", "ann").await.expect("tag");
    let report = reconcile(cache, &ReconcileRequest { zone: Some("Europe/Amsterdam".into()), ..Default::default() }).await.expect("reconcile");
    let mut out = vec![serde_json::to_string(&report).expect("json")];
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = |amounts, dates| ExportOptions { format: ExportFormat::Csv, amounts, dates, zone: Some("Europe/Amsterdam".into()), ..Default::default() };
    for (i, (filter, opts)) in [
        (HistoryFilter::default(), csv(AmountStyle::Signed, DateStyle::Iso)),
        (filters()[1].clone(), csv(AmountStyle::Split, DateStyle::Spreadsheet)),
        (filters()[4].clone(), csv(AmountStyle::Signed, DateStyle::Iso)),
    ]
    .into_iter()
    .enumerate()
    {
        let target = dir.path().join(format!("history-{i}.csv"));
        let written = export_history(cache, &filter, &target, &opts, &mut |_| {}).await.expect("export");
        assert_eq!(written as i64, history_count(cache, &filter, Some("Europe/Amsterdam")).await.expect("count"));
        out.push(file_text(&target));
    }
    for wallet_id in 1..=11 {
        let target = dir.path().join(format!("statement-{wallet_id}.csv"));
        let req = StatementRequest { wallet_id, from: "2025-01-01".into(), to: "2025-03-31".into() };
        export_statement(cache, &req, &target, &csv(AmountStyle::Signed, DateStyle::Iso), &mut |_| {}).await.expect("statement");
        out.push(file_text(&target));
    }
    let xlsx = dir.path().join("history.xlsx");
    let written = export_history(cache, &filters()[1], &xlsx, &ExportOptions { format: ExportFormat::Xlsx, ..Default::default() }, &mut |_| {}).await.expect("xlsx");
    out.push(format!("xlsx rows {written}"));
    let pdf = dir.path().join("statement.pdf");
    let req = StatementRequest { wallet_id: 3, from: "2025-02-01".into(), to: "2025-02-28".into() };
    let rows = export_statement(cache, &req, &pdf, &ExportOptions { format: ExportFormat::Pdf, ..Default::default() }, &mut |_| {}).await.expect("pdf");
    out.push(format!("pdf rows {rows}"));
    out
}

fn file_text(path: &Path) -> String {
    String::from_utf8(std::fs::read(path).expect("read export")).expect("UTF-8")
}

async fn upserts_move_rows_and_rollups(cache: &Cache) -> Vec<String> {
    use walletbook_core::model::{DiscoveredWallet, NewTransaction, ParsedRecord, Settings};
    let connection = cache.add_connection("upserts", Provider::Flexprice, "http://127.0.0.1:9", &Settings::new()).await.expect("connection");
    let wallet = DiscoveredWallet { provider_wallet_id: "w1".into(), kind: "CREDIT".into(), currency: "EUR".into(), name: Some("Upserts".into()), current_balance: Some(dec("100.00")) };
    let wallet_id = cache.upsert_wallet(connection.id, &wallet).await.expect("wallet");
    let at = |h: u32| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 1, 31, h, 30, 0).single().expect("time");
    let row = |id: &str, h: u32, amount: &str| {
        let mut t = NewTransaction::new(id, at(h), Direction::Credit, dec(amount), "eur", format!("{{\"id\":\"{id}\",\"amount\":\"{amount}\"}}"));
        t.description = Some(format!("Top-up {id}"));
        ParsedRecord::Ok(t)
    };
    let page = || vec![row("a", 22, "10.50"), row("b", 23, "10.5"), row("c", 23, "0.001")];
    let mut out = Vec::new();
    for records in [page(), page(), vec![row("c", 23, "20.25"), row("d", 1, "1")]] {
        let outcome = cache.commit_page(wallet_id, None, records, Some("{}")).await.expect("commit");
        out.push(format!("{outcome:?}"));
    }
    let q = HistoryQuery { filter: HistoryFilter { wallet_ids: vec![wallet_id], ..Default::default() }, sort: SortKey::Amount, order: SortOrder::Asc, zone: Some("Europe/Amsterdam".into()), ..Default::default() };
    out.extend(row_lines(&history_page(cache, &q).await.expect("page").rows));
    for zone in ["UTC", "Europe/Amsterdam"] {
        let summary = summarise(cache, &SummaryRequest { period: Period::Month, zone: Some(zone.into()), ..Default::default() }).await.expect("summary");
        out.push(serde_json::to_string(&summary).expect("json"));
    }
    assert_eq!(out[1], "PageOutcome { inserted: 0, updated: 0, unchanged: 3, quarantined: 0 }", "a page committed twice changes nothing");
    assert!(out[4].contains("\"amount\":\"10.50\"") && out[5].contains("\"amount\":\"10.5\""), "amounts keep their scale, and a tie sorts by id: {out:?}");
    out
}

/// More than 5,000 matches: both backends walk the sort order and test
/// each row instead of sorting every match; pages must not change.
async fn searches_with_many_matches(cache: &Cache) -> Vec<String> {
    use walletbook_core::model::{DiscoveredWallet, NewTransaction, ParsedRecord, Settings};
    let connection = cache.add_connection("many", Provider::Spaaza, "http://127.0.0.1:9", &Settings::new()).await.expect("connection");
    let wallet = DiscoveredWallet { provider_wallet_id: "m".into(), kind: "REWARD".into(), currency: "EUR".into(), name: None, current_balance: None };
    let wallet_id = cache.upsert_wallet(connection.id, &wallet).await.expect("wallet");
    let start = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 1, 1, 0, 0, 0).single().expect("time");
    let records: Vec<ParsedRecord> = (0..6_500i64)
        .map(|k| {
            let at = start + chrono::Duration::minutes(k * 7 / 3);
            let amount = Decimal::new(100 + (k * 37) % 5_000, 2);
            let mut t = NewTransaction::new(format!("r{k}"), at, if k % 4 == 0 { Direction::Debit } else { Direction::Credit }, amount, "EUR", format!("{{\"k\":{k}}}"));
            t.description = Some(if k % 3 == 0 { format!("Coffee at Lighthouse {k}") } else { format!("Coffee beans order-{k}") });
            ParsedRecord::Ok(t)
        })
        .collect();
    cache.commit_page(wallet_id, None, records, None).await.expect("commit");
    add_note(cache, NoteTarget::Transaction(6_400), "no coffee here, only tea", "ann").await.expect("note");
    let mut out = Vec::new();
    for text in ["coffee", "coff", "coffee order", "lighthouse 3", "tea"] {
        for (sort, order) in SORTS {
            let mut q = HistoryQuery { filter: HistoryFilter { text: Some(text.into()), ..Default::default() }, sort, order, limit: 40, zone: Some("UTC".into()), with_total: true, ..Default::default() };
            for _ in 0..2 {
                let page = history_page(cache, &q).await.expect("page");
                out.push(format!("{text} {sort:?} {order:?} total {:?}: {:?}", page.total, page.rows.iter().map(|r| r.id).collect::<Vec<_>>()));
                match page.next_cursor {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
            }
        }
    }
    assert!(out[0].contains("total Some(6500)"), "every row matches 'coffee': {}", out[0]);
    out
}
