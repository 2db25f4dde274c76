//! PDF statements, laid out like a bank's (krilla: text shaped with
//! rustybuzz, fonts embedded as subsets; no browser, nothing downloaded).
//!
//! Each statement starts on a new page: provider, connection, wallet,
//! currency, period and zone; opening and closing balance (each `reported`
//! or `derived`) with the period's credits, debits and fees; then a table of
//! date, description, counterparty, reference, amount, fee and running
//! balance, ending with the totals. Every page repeats the table header and
//! has a footer with the generation time, the data's *as of* (the wallet's
//! last sync) and "page N of M" (counted per statement). Amounts are the
//! exact stored decimals, padded to the currency's decimals, never rounded.
//! An empty period still makes a statement: opening = closing and
//! "No transactions in this period".

mod fonts;
mod layout;

use std::path::Path;

use chrono::{DateTime, Utc};
use krilla::metadata::Metadata;
use krilla::Document;
use walletbook_core::{Error, Result};

pub use fonts::Fonts;

use super::atomic::AtomicFile;
use super::statement::{StatementHead, StatementRow};

/// Write `statements` as one PDF at `target` (atomically).
pub(crate) fn write_statements(target: &Path, statements: &[(StatementHead, Vec<StatementRow>)], generated: DateTime<Utc>) -> Result<()> {
    let file = AtomicFile::create(target)?;
    let bytes = render(statements, generated, &Fonts::load())?;
    file.write_all_and_finish(&bytes)
}

/// The PDF's bytes.
pub fn render(statements: &[(StatementHead, Vec<StatementRow>)], generated: DateTime<Utc>, fonts: &Fonts) -> Result<Vec<u8>> {
    let mut doc = Document::new();
    let title = match statements {
        [(head, _)] => format!("Statement {} {}", head.wallet.label(), head.period()),
        _ => format!("Statements of {} wallets", statements.len()),
    };
    doc.set_metadata(Metadata::new().title(title).creator("Walletbook".to_string()));
    for (head, rows) in statements {
        layout::statement(&mut doc, fonts, head, rows, generated);
    }
    doc.finish().map_err(|e| Error::Internal(format!("the PDF could not be written: {e:?}")))
}
