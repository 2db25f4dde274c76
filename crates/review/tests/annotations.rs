//! Annotations: notes, tags and reviewed marks are kept apart from the
//! provider's rows, survive every rewrite of those rows, are searchable and
//! filterable in history, and every change is audited with who and when.

mod common;

use common::*;
use walletbook_core::model::{Direction, Provider};
use walletbook_review::annotations::{
    add_note, add_tag, all_tags, audit_log, mark_reviewed, notes, remove_note, remove_tag, transaction_annotations, unmark_reviewed, AuditAction, AuditFilter, NoteTarget,
};
use walletbook_review::history::{history_count, history_page, transaction_detail, HistoryFilter, HistoryQuery};

async fn three_rows(cache: &walletbook_core::db::Cache) -> (i64, Vec<i64>) {
    let w = wallet(cache, Provider::Spaaza, "EUR", None).await;
    let rows = (1..=3).map(|i| tx(&format!("r{i}"), &format!("2024-05-0{i}T12:00:00Z"), Direction::Credit, "10", "EUR", None)).collect();
    commit(cache, w, rows).await;
    let page = history_page(cache, &HistoryQuery { zone: Some("UTC".into()), ..Default::default() }).await.expect("page");
    let mut ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    ids.sort();
    (w, ids)
}

fn ids_of(page: &walletbook_review::history::HistoryPage) -> Vec<i64> {
    let mut ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

async fn filtered(cache: &walletbook_core::db::Cache, filter: HistoryFilter) -> Vec<i64> {
    ids_of(&history_page(cache, &HistoryQuery { filter, zone: Some("UTC".into()), ..Default::default() }).await.expect("page"))
}

#[tokio::test]
async fn notes_tags_and_marks_survive_a_resync_and_a_provider_update() {
    let (_d, cache) = cache().await;
    let (w, ids) = three_rows(&cache).await;
    let first = ids[0];
    add_note(&cache, NoteTarget::Transaction(first), "  Refund agreed with Jansen  ", "ann").await.expect("note");
    add_tag(&cache, first, " VAT ", "ann").await.expect("tag");
    add_tag(&cache, first, "to-check", "ann").await.expect("tag");
    mark_reviewed(&cache, &[first], "ann").await.expect("mark");

    // The same rows again (a re-sync, `--full` or an import), then the
    // provider's update of the row (changed amount and raw text).
    commit(&cache, w, (1..=3).map(|i| tx(&format!("r{i}"), &format!("2024-05-0{i}T12:00:00Z"), Direction::Credit, "10", "EUR", None)).collect()).await;
    commit(&cache, w, vec![tx("r1", "2024-05-01T12:00:00Z", Direction::Credit, "12.50", "EUR", None)]).await;

    let detail = transaction_detail(&cache, first, Some("UTC")).await.expect("detail");
    assert_eq!(detail.row.amount.to_string(), "12.50", "the provider's update reached the row");
    assert_eq!(detail.row.note.as_deref(), Some("Refund agreed with Jansen"));
    assert_eq!(detail.row.tags, vec!["to-check".to_string(), "VAT".to_string()]);
    assert!(detail.row.reviewed);
    let a = transaction_annotations(&cache, first).await.expect("annotations");
    assert_eq!(a.notes.len(), 1);
    assert_eq!(a.reviewed.expect("mark").reviewed_by, "ann");
    let wallets = cache.list_wallets().await.expect("wallets");
    assert_eq!((wallets[0].reviewed_count, wallets[0].transaction_count), (1, 3));
}

#[tokio::test]
async fn history_filters_by_tag_note_and_review_and_searches_notes() {
    let (_d, cache) = cache().await;
    let (_w, ids) = three_rows(&cache).await;
    add_note(&cache, NoteTarget::Transaction(ids[1]), "Invoice 4471 disputed by the customer", "ann").await.expect("note");
    add_tag(&cache, ids[0], "vat", "ann").await.expect("tag");
    add_tag(&cache, ids[2], "Payroll", "ann").await.expect("tag");
    mark_reviewed(&cache, &[ids[0], ids[1]], "ann").await.expect("mark");

    assert_eq!(filtered(&cache, HistoryFilter { tags: vec!["VAT".into()], ..Default::default() }).await, vec![ids[0]], "tags match whatever the case");
    assert_eq!(filtered(&cache, HistoryFilter { tags: vec!["vat".into(), "payroll".into()], ..Default::default() }).await, vec![ids[0], ids[2]]);
    assert_eq!(filtered(&cache, HistoryFilter { has_note: true, ..Default::default() }).await, vec![ids[1]]);
    assert_eq!(filtered(&cache, HistoryFilter { not_reviewed: true, ..Default::default() }).await, vec![ids[2]]);
    assert_eq!(filtered(&cache, HistoryFilter { text: Some("disputed".into()), ..Default::default() }).await, vec![ids[1]], "a note's words are found");
    assert_eq!(filtered(&cache, HistoryFilter { text: Some("row".into()), ..Default::default() }).await, ids, "the rows' own text still is");
    assert_eq!(history_count(&cache, &HistoryFilter { text: Some("invoice 4471".into()), not_reviewed: true, ..Default::default() }, Some("UTC")).await.expect("count"), 0);
    let tags = all_tags(&cache).await.expect("tags");
    assert_eq!(tags.iter().map(|t| (t.tag.as_str(), t.count)).collect::<Vec<_>>(), vec![("Payroll", 1), ("vat", 1)]);
    let bad = history_page(&cache, &HistoryQuery { filter: HistoryFilter { tags: vec!["a,b".into()], ..Default::default() }, ..Default::default() }).await.expect_err("bad tag");
    assert!(bad.to_string().contains("comma"), "{bad}");
}

#[tokio::test]
async fn every_change_is_audited_with_who_and_when() {
    let (_d, cache) = cache().await;
    let (w, ids) = three_rows(&cache).await;
    let note = add_note(&cache, NoteTarget::Transaction(ids[0]), "first look", "ann").await.expect("note");
    add_note(&cache, NoteTarget::Wallet(w), "Closed in June", "bob").await.expect("wallet note");
    add_tag(&cache, ids[0], "vat", "ann").await.expect("tag");
    add_tag(&cache, ids[0], "VAT", "ann").await.expect("same tag again");
    assert_eq!(remove_tag(&cache, ids[0], "Vat", "bob").await.expect("untag"), Vec::<String>::new());
    let again = mark_reviewed(&cache, &ids, "ann").await.expect("mark");
    assert_eq!((again.requested, again.changed), (3, 3));
    let twice = mark_reviewed(&cache, &[ids[0], ids[0]], "ann").await.expect("mark again");
    assert_eq!((twice.requested, twice.changed), (1, 0));
    assert_eq!(unmark_reviewed(&cache, &[ids[2]], "bob").await.expect("unmark").changed, 1);
    remove_note(&cache, note.id, "bob").await.expect("remove note");
    assert!(notes(&cache, NoteTarget::Transaction(ids[0])).await.expect("notes").is_empty());

    let first = audit_log(&cache, &AuditFilter { transaction_id: Some(ids[0]), ..Default::default() }).await.expect("audit");
    let actions: Vec<(AuditAction, &str)> = first.iter().map(|e| (e.action, e.actor.as_str())).collect();
    assert_eq!(
        actions,
        vec![(AuditAction::NoteRemoved, "bob"), (AuditAction::Reviewed, "ann"), (AuditAction::TagRemoved, "bob"), (AuditAction::TagAdded, "ann"), (AuditAction::NoteAdded, "ann")],
        "newest first; a tag already there and a mark already made are not changes"
    );
    assert!(first.iter().all(|e| e.at.ends_with('Z')), "times are UTC");
    let wallet_log = audit_log(&cache, &AuditFilter { wallet_id: Some(w), ..Default::default() }).await.expect("wallet audit");
    assert_eq!(wallet_log.len(), 1);
    assert_eq!(wallet_log[0].detail.as_deref(), Some("Closed in June"));
    assert_eq!(audit_log(&cache, &AuditFilter::default()).await.expect("all").len(), 9);
}

#[tokio::test]
async fn bad_ids_and_text_are_refused_in_one_sentence_and_change_nothing() {
    let (_d, cache) = cache().await;
    let (_w, ids) = three_rows(&cache).await;
    let err = mark_reviewed(&cache, &[ids[0], 999_999], "ann").await.expect_err("unknown id");
    assert!(err.to_string().starts_with("Transaction 999999 is not in this cache;"), "{err}");
    assert!(!transaction_detail(&cache, ids[0], None).await.expect("detail").row.reviewed, "all or nothing");
    assert!(add_note(&cache, NoteTarget::Transaction(424_242), "x", "ann").await.expect_err("unknown").to_string().contains("Transaction 424242"));
    assert!(add_note(&cache, NoteTarget::Transaction(ids[0]), "   ", "ann").await.is_err());
    assert!(add_note(&cache, NoteTarget::Transaction(ids[0]), &"x".repeat(4001), "ann").await.is_err());
    assert!(add_tag(&cache, ids[0], &"t".repeat(33), "ann").await.expect_err("long").to_string().contains("longer than 32"));
    assert!(remove_tag(&cache, ids[0], "absent", "ann").await.expect_err("absent").to_string().contains("has no tag 'absent'"));
    assert!(remove_note(&cache, 77, "ann").await.expect_err("no note").to_string().starts_with("Note 77 is not in this cache"));
    assert!(audit_log(&cache, &AuditFilter::default()).await.expect("audit").is_empty());
}

#[tokio::test]
async fn a_search_with_many_matches_still_finds_notes_once() {
    let (_d, cache) = cache().await;
    let w = wallet(&cache, Provider::Spaaza, "EUR", None).await;
    // More text matches than the probe threshold (5,000): the page walks the order and probes the match set.
    let rows = (0..5_200).map(|i| tx(&format!("r{i}"), "2024-05-01T12:00:00Z", Direction::Credit, "1", "EUR", None)).collect();
    commit(&cache, w, rows).await;
    let newest = history_page(&cache, &HistoryQuery { limit: 1, ..Default::default() }).await.expect("page").rows[0].id;
    add_note(&cache, NoteTarget::Transaction(newest), "row with a note", "ann").await.expect("note");
    let q = HistoryQuery { filter: HistoryFilter { text: Some("row".into()), ..Default::default() }, limit: 1000, ..Default::default() };
    let ids = all_pages(&cache, q).await;
    assert_eq!(ids.len(), 5_200, "a row matching in its text and its note is listed once");
    let only_note = HistoryFilter { text: Some("note".into()), ..Default::default() };
    assert_eq!(filtered(&cache, only_note).await, vec![newest]);
}

#[tokio::test]
async fn removing_a_connection_removes_its_annotations_but_keeps_the_audit() {
    let (_d, cache) = cache().await;
    let (w, ids) = three_rows(&cache).await;
    add_note(&cache, NoteTarget::Transaction(ids[0]), "gone with the row", "ann").await.expect("note");
    add_note(&cache, NoteTarget::Wallet(w), "gone with the wallet", "ann").await.expect("wallet note");
    add_tag(&cache, ids[0], "vat", "ann").await.expect("tag");
    mark_reviewed(&cache, &ids, "ann").await.expect("mark");
    let name = cache.list_wallets().await.expect("wallets")[0].connection_name.clone();
    cache.remove_connection(&name).await.expect("remove");
    let counts = [("notes", "SELECT COUNT(*) FROM notes"), ("tags", "SELECT COUNT(*) FROM transaction_tags"), ("marks", "SELECT COUNT(*) FROM reviewed_marks")];
    for (table, sql) in counts {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(cache.sqlite().expect("an SQLite cache")).await.expect("count");
        assert_eq!(n, 0, "{table} follows its rows");
    }
    assert_eq!(audit_log(&cache, &AuditFilter::default()).await.expect("audit").len(), 6, "the audit trail stays");
}
