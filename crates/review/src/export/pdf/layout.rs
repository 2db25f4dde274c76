//! One statement's pages: A4 portrait, in points (1/72 inch), y downwards.
//!
//! Every table line has the same height, so the page count is known before
//! the first page is drawn ("page N of M"): page 1 holds fewer lines (the
//! header block is on it) than the pages after it.

use chrono::{DateTime, Utc};
use krilla::color::rgb;
use krilla::geom::PathBuilder;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::Document;
use walletbook_core::time::from_nanos;

use super::fonts::Fonts;
use crate::export::statement::{StatementHead, StatementRow};
use crate::export::xlsx::currency_decimals;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 40.0;
const LINE: f32 = 11.0;
const TABLE_SIZE: f32 = 7.5;
/// Where the table's header sits on page 1 and on the pages after it.
const FIRST_TABLE_TOP: f32 = 215.0;
const NEXT_TABLE_TOP: f32 = 80.0;
/// The last table line's baseline may not pass this.
const TABLE_BOTTOM: f32 = PAGE_H - 56.0;

/// A table column: title, width, right-aligned.
const COLUMNS: [(&str, f32, bool); 7] = [
    ("Date", 74.0, false),
    ("Description", 127.0, false),
    ("Counterparty", 85.0, false),
    ("Reference", 67.0, false),
    ("Amount", 60.0, true),
    ("Fee", 42.0, true),
    ("Balance", 60.0, true),
];

/// One line of the table.
enum Line<'a> {
    Row(&'a StatementRow),
    /// The accountant's tags and notes of the row above, when it has any.
    Annotation(&'a StatementRow),
    Note(&'static str),
    Blank,
    Total(String, String),
}

/// Lines per page: (first page, later pages).
fn capacity() -> (usize, usize) {
    let fit = |top: f32| ((TABLE_BOTTOM - top - LINE) / LINE).floor() as usize;
    (fit(FIRST_TABLE_TOP), fit(NEXT_TABLE_TOP))
}

/// How many pages `lines` table lines take.
pub(super) fn page_count(lines: usize) -> usize {
    let (first, next) = capacity();
    if lines <= first {
        1
    } else {
        1 + (lines - first).div_ceil(next)
    }
}

/// `value` with at least `decimals` decimals (zeros added, never rounded).
pub(super) fn show_amount(value: &str, decimals: u32) -> String {
    if value.is_empty() {
        return String::new();
    }
    let have = value.split_once('.').map_or(0, |(_, f)| f.len() as u32);
    let mut out = value.to_string();
    if have < decimals {
        if have == 0 {
            out.push('.');
        }
        out.extend(std::iter::repeat_n('0', (decimals - have) as usize));
    }
    out
}

/// Draw `head`'s statement with `rows` as new pages of `doc`.
pub(super) fn statement(doc: &mut Document, fonts: &Fonts, head: &StatementHead, rows: &[StatementRow], generated: DateTime<Utc>) {
    let decimals = currency_decimals(&head.wallet.currency);
    let money = |d: rust_decimal::Decimal| show_amount(&d.to_string(), decimals);
    let figure = |f: &Option<crate::summary::BalanceFigure>| f.as_ref().map(|b| money(b.amount)).unwrap_or_else(|| "unknown".into());
    let mut lines: Vec<Line> = rows.iter().flat_map(|r| [Some(Line::Row(r)), (!r.tags.is_empty() || !r.note.is_empty()).then_some(Line::Annotation(r))]).flatten().collect();
    if rows.is_empty() {
        lines.push(Line::Note("No transactions in this period."));
    }
    lines.push(Line::Blank);
    lines.push(Line::Total("Credits / Debits / Fees".into(), format!("{} / {} / {}", money(head.credits), money(head.debits), money(head.fees))));
    lines.push(Line::Total(format!("Closing balance ({})", StatementHead::source(&head.closing)), figure(&head.closing)));

    let pages = page_count(lines.len());
    let (first, next) = capacity();
    let mut rest = &lines[..];
    for n in 1..=pages {
        let take = (if n == 1 { first } else { next }).min(rest.len());
        let (these, after) = rest.split_at(take);
        rest = after;
        let mut page = doc.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).unwrap_or_else(|| unreachable!("A4 is a valid size")));
        let mut s = page.surface();
        let top = if n == 1 { header_block(&mut s, fonts, head, &figure) } else { short_header(&mut s, fonts, head) };
        table(&mut s, fonts, head, top, these, decimals);
        footer(&mut s, fonts, head, generated, n, pages);
        s.finish();
        page.finish();
    }
}

/// Page 1's header: who, what, when, and the balances. Returns the table's top.
fn header_block(s: &mut Surface<'_>, fonts: &Fonts, head: &StatementHead, figure: &dyn Fn(&Option<crate::summary::BalanceFigure>) -> String) -> f32 {
    let w = &head.wallet;
    let right = PAGE_W - MARGIN;
    fonts.draw(s, MARGIN, MARGIN + 14.0, "Statement", 18.0, true);
    fonts.draw_right(s, right, MARGIN + 14.0, w.provider.display_name(), 12.0, true);
    let facts = [
        format!("Wallet: {} ({})", w.label(), w.provider_wallet_id),
        format!("Connection: {}    Provider: {}", w.connection_name, w.provider.display_name()),
        format!("Currency: {}    Period: {}    Time zone: {}", w.currency, head.period(), head.zone_name),
    ];
    let mut y = MARGIN + 36.0;
    for f in facts.iter().chain(head.signed_off.iter()) {
        fonts.draw(s, MARGIN, y, &fonts.fit(f, 9.0, false, right - MARGIN), 9.0, false);
        y += 13.0;
    }
    y += 8.0;
    let money = |d: rust_decimal::Decimal| show_amount(&d.to_string(), currency_decimals(&w.currency));
    let balances = [
        (format!("Opening balance ({})", StatementHead::source(&head.opening)), figure(&head.opening), true),
        ("Credits".to_string(), money(head.credits), false),
        ("Debits".to_string(), money(head.debits), false),
        ("Fees".to_string(), money(head.fees), false),
        (format!("Closing balance ({})", StatementHead::source(&head.closing)), figure(&head.closing), true),
    ];
    rule(s, MARGIN, y - 9.0, MARGIN + 260.0, 0.5);
    for (label, value, bold) in &balances {
        y += 12.0;
        fonts.draw(s, MARGIN, y, label, 9.0, *bold);
        fonts.draw_right(s, MARGIN + 260.0, y, &format!("{value} {}", w.currency), 9.0, *bold);
    }
    rule(s, MARGIN, y + 5.0, MARGIN + 260.0, 0.5);
    FIRST_TABLE_TOP
}

/// The header of pages after the first.
fn short_header(s: &mut Surface<'_>, fonts: &Fonts, head: &StatementHead) -> f32 {
    let text = format!("Statement · {} · {} · {}", head.wallet.label(), head.wallet.currency, head.period());
    fonts.draw(s, MARGIN, MARGIN + 10.0, &fonts.fit(&text, 9.0, true, PAGE_W - 2.0 * MARGIN), 9.0, true);
    NEXT_TABLE_TOP
}

fn table(s: &mut Surface<'_>, fonts: &Fonts, head: &StatementHead, top: f32, lines: &[Line<'_>], decimals: u32) {
    let mut x = MARGIN;
    for (title, width, right) in COLUMNS {
        if right {
            fonts.draw_right(s, x + width - 2.0, top, title, TABLE_SIZE, true);
        } else {
            fonts.draw(s, x, top, title, TABLE_SIZE, true);
        }
        x += width;
    }
    rule(s, MARGIN, top + 3.5, PAGE_W - MARGIN, 0.7);
    let mut y = top;
    for line in lines {
        y += LINE;
        match line {
            Line::Row(r) => row(s, fonts, head, y, r, decimals),
            Line::Annotation(r) => annotation(s, fonts, y, r),
            Line::Note(text) => fonts.draw(s, MARGIN, y, text, TABLE_SIZE, false),
            Line::Blank => {}
            Line::Total(label, value) => {
                fonts.draw(s, MARGIN + COLUMNS[0].1, y, label, TABLE_SIZE, true);
                fonts.draw_right(s, PAGE_W - MARGIN - 2.0, y, value, TABLE_SIZE, true);
            }
        }
    }
}

fn row(s: &mut Surface<'_>, fonts: &Fonts, head: &StatementHead, y: f32, r: &StatementRow, decimals: u32) {
    let date = from_nanos(r.nanos).with_timezone(&head.zone).format("%Y-%m-%d %H:%M").to_string();
    let running = r.running.map(|b| show_amount(&b.to_string(), decimals)).unwrap_or_default();
    let cells = [date, r.description.clone(), r.counterparty.clone(), r.reference.clone(), show_amount(&r.signed_amount(), decimals), show_amount(&r.fee, decimals), running];
    let mut x = MARGIN;
    for ((_, width, right), text) in COLUMNS.iter().zip(cells) {
        // Amounts are never cut: an exact figure is worth a crowded cell.
        if *right {
            fonts.draw_right(s, x + width - 2.0, y, &text, TABLE_SIZE, false);
        } else {
            fonts.draw(s, x, y, &fonts.fit(&text, TABLE_SIZE, false, width - 4.0), TABLE_SIZE, false);
        }
        x += width;
    }
}

/// A row's tags and notes on one line under it, from the description column
/// to the right margin (cut to fit; the CSV and XLSX carry them whole).
fn annotation(s: &mut Surface<'_>, fonts: &Fonts, y: f32, r: &StatementRow) {
    let mut parts = Vec::new();
    if !r.tags.is_empty() {
        parts.push(format!("Tags: {}", r.tags));
    }
    if !r.note.is_empty() {
        parts.push(format!("Note: {}", r.note.replace('\n', " · ")));
    }
    let x = MARGIN + COLUMNS[0].1;
    fonts.draw(s, x, y, &fonts.fit(&parts.join("  ·  "), TABLE_SIZE, false, PAGE_W - MARGIN - x), TABLE_SIZE, false);
}

fn footer(s: &mut Surface<'_>, fonts: &Fonts, head: &StatementHead, generated: DateTime<Utc>, n: usize, pages: usize) {
    let local = |t: DateTime<Utc>| t.with_timezone(&head.zone).format("%Y-%m-%d %H:%M").to_string();
    let data = match head.as_of.map(local) {
        Some(at) => format!("data as of {at} ({}, the wallet's last sync)", head.zone_name),
        None => "data as of: the wallet has not been synced".to_string(),
    };
    let text = format!("Generated {} · {data} · Walletbook", local(generated));
    let y = PAGE_H - 28.0;
    rule(s, MARGIN, y - 10.0, PAGE_W - MARGIN, 0.4);
    fonts.draw(s, MARGIN, y, &fonts.fit(&text, 7.0, false, PAGE_W - 2.0 * MARGIN - 70.0), 7.0, false);
    fonts.draw_right(s, PAGE_W - MARGIN, y, &format!("page {n} of {pages}"), 7.0, false);
}

/// A horizontal grey line.
fn rule(s: &mut Surface<'_>, x1: f32, y: f32, x2: f32, width: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y);
    pb.line_to(x2, y);
    if let Some(path) = pb.finish() {
        s.set_stroke(Some(Stroke { paint: rgb::Color::new(120, 120, 120).into(), width, ..Default::default() }));
        s.draw_path(&path);
        s.set_stroke(None);
        s.set_fill(Some(Fill::default()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_padded_never_rounded() {
        assert_eq!(show_amount("12.5", 2), "12.50");
        assert_eq!(show_amount("-3", 2), "-3.00");
        assert_eq!(show_amount("1.23456", 2), "1.23456");
        assert_eq!(show_amount("1500", 0), "1500");
        assert_eq!(show_amount("", 2), "");
    }

    #[test]
    fn pages_follow_the_line_count() {
        let (first, next) = capacity();
        assert_eq!(page_count(1), 1);
        assert_eq!(page_count(first), 1);
        assert_eq!(page_count(first + 1), 2);
        assert_eq!(page_count(first + next), 2);
        assert_eq!(page_count(first + next + 1), 3);
    }
}
