//! Benchmark mode: a Spaaza chain export of N rows over up to 1,000
//! wallets, each row computed from its index and streamed in chunks, so the
//! fake holds no rows (a 1,000,000-row export is about 200 MB of CSV).
//!
//! Row `i` belongs to wallet `i % W`; it is that wallet's `k = i / W`-th
//! entry, a credit of 1.25 EUR with the balance `1.25 × (k + 1)` after it,
//! one second after row `i - 1`. The file has the export's columns
//! ([`crate::spaaza_export::COLUMNS`]), a BOM and CRLF line ends, and a
//! description that needs quoting.

use crate::spaaza_export::COLUMNS;
use axum::body::{Body, Bytes};
use chrono::{DateTime, FixedOffset, SecondsFormat};

/// Rows generated per streamed chunk.
const CHUNK_ROWS: u64 = 2_000;

/// The wallets of an `n`-row export.
pub fn wallet_count(n: u64) -> u64 {
    (n / 100).clamp(1, 1_000)
}

/// The provider wallet id of wallet `w`.
pub fn wallet_id(w: u64) -> String {
    (500_000 + w).to_string()
}

fn cents(c: u64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// Rows `from..to` of an `n`-row export of `chain` (with the header when `from` is 0).
pub fn chunk(chain: u64, n: u64, from: u64, to: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(((to - from) * 200) as usize);
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        if from == 0 {
            let _ = w.write_record(COLUMNS);
        }
        let wallets = wallet_count(n);
        let offset = FixedOffset::east_opt(7200);
        for i in from..to.min(n) {
            let (wallet, k) = (i % wallets, i / wallets);
            let at = DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap_or_default();
            let ts = match offset {
                Some(o) => at.with_timezone(&o).to_rfc3339_opts(SecondsFormat::Secs, false),
                None => at.to_rfc3339_opts(SecondsFormat::Secs, true),
            };
            let user = (900_000 + wallet).to_string();
            let row = [
                (100_000_000 + i).to_string(),
                wallet_id(wallet),
                user.clone(),
                format!("M-{user}"),
                chain.to_string(),
                ts,
                "credit".into(),
                "1.25".into(),
                cents(125 * (k + 1)),
                "EUR".into(),
                format!("Bench entry {i}, \"large\" export"),
                "Bench".into(),
                String::new(),
                String::new(),
            ];
            let _ = w.write_record(&row);
        }
        let _ = w.flush();
    }
    out
}

/// The whole file, generated while it is sent.
pub fn body(chain: u64, n: u64) -> Body {
    let mut starts = (0..n.max(1)).step_by(CHUNK_ROWS as usize);
    let mut first = true;
    let stream = futures::stream::iter(std::iter::from_fn(move || {
        let from = starts.next()?;
        let mut bytes = if first { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        first = false;
        bytes.extend(chunk(chain, n, from, from + CHUNK_ROWS));
        Some(Ok::<_, std::io::Error>(Bytes::from(bytes)))
    }));
    Body::from_stream(stream)
}

/// Writes the whole file to `out` (for an import benchmark), chunk by chunk.
pub fn write(out: &mut impl std::io::Write, chain: u64, n: u64) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    for from in (0..n.max(1)).step_by(CHUNK_ROWS as usize) {
        out.write_all(&chunk(chain, n, from, from + CHUNK_ROWS))?;
    }
    out.flush()
}
