//! Benchmark mode: one Exlr8 wallet with N transactions, each computed from
//! its index on request (nothing is stored).
//!
//! The balance after row `i` is drawn directly from a hash of `i` (in units
//! of 0.0001), with its parity forced to alternate so that no two neighbours
//! are equal; the row's amount is the difference to the previous balance and
//! its direction that difference's sign. So any row, and its before/after
//! balances, can be produced without the rows before it.

use crate::config::FakeConfig;
use crate::data::{Direction, FakeTx, TxStatus};
use crate::expected::Expected;
use chrono::Duration;
use rust_decimal::Decimal;

pub const WALLET_ID: &str = "7a1e0000-0000-4000-8000-00000000b16e";
pub const CURRENCY: &str = "INR";

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Balance after row `i` (row `-1` is the opening balance), in 0.0001 units.
fn units_after(seed: u64, i: i64) -> i64 {
    if i < 0 {
        return 50_000_000_001; // 5,000,000.0001: odd, like row -1
    }
    let h = (mix(seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)) % 20_000_000_000) as i64;
    10_000_000_000 + 2 * h + (i & 1)
}

/// Row `i` (0 = oldest) of an `n`-row history.
pub fn tx(cfg: &FakeConfig, n: u64, i: u64) -> FakeTx {
    let before = units_after(cfg.seed, i as i64 - 1);
    let after = units_after(cfg.seed, i as i64);
    let direction = if after > before { Direction::Credit } else { Direction::Debit };
    let h = mix(cfg.seed.wrapping_add(i));
    let at = cfg.anchor - Duration::seconds(7 * (n - 1 - i) as i64) + Duration::milliseconds((h % 1000) as i64);
    FakeTx {
        id: format!("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", h >> 32, (h >> 16) & 0xffff, h & 0xfff, i & 0xfff, i),
        seq: i,
        at,
        direction,
        amount: Decimal::new((after - before).abs(), 4),
        fee: Decimal::ZERO,
        balance_before: Decimal::new(before, 4),
        balance_after: Decimal::new(after, 4),
        currency: CURRENCY.into(),
        description: "Bulk order, \"bench\"".into(),
        category: if direction == Direction::Credit { "TOPUP" } else { "PURCHASE" }.into(),
        status: TxStatus::Completed,
        fx: None,
    }
}

fn len(cfg: &FakeConfig) -> u64 {
    cfg.exlr8_large.unwrap_or(0)
}

/// `(walletID, currency, balance)` of the one wallet.
pub fn wallet(cfg: &FakeConfig) -> (String, String, Decimal) {
    let n = len(cfg);
    (WALLET_ID.into(), CURRENCY.into(), Decimal::new(units_after(cfg.seed, n as i64 - 1), 4))
}

/// Up to `limit` rows with `seq < before`, newest first, and whether more
/// matching rows follow.
pub fn page(cfg: &FakeConfig, before: u64, limit: usize, wanted: &dyn Fn(&FakeTx) -> bool) -> (Vec<FakeTx>, bool) {
    let n = len(cfg);
    let mut rows = Vec::with_capacity(limit);
    let mut i = before.min(n);
    while i > 0 {
        i -= 1;
        let t = tx(cfg, n, i);
        if wanted(&t) {
            if rows.len() == limit {
                return (rows, true);
            }
            rows.push(t);
        }
    }
    (rows, false)
}

/// Ground truth for the large wallet (walks every row once).
pub fn expected(cfg: &FakeConfig) -> Expected {
    let n = len(cfg);
    let mut e = Expected {
        opening_balance: Decimal::new(units_after(cfg.seed, -1), 4),
        ..Expected::default()
    };
    let mut credits = 0i128;
    let mut debits = 0i128;
    for i in 0..n {
        let d = (units_after(cfg.seed, i as i64) - units_after(cfg.seed, i as i64 - 1)) as i128;
        if d > 0 { credits += d } else { debits -= d }
        e.ids.push(tx(cfg, n, i).id);
    }
    e.count = n as usize;
    e.credits = Decimal::from_i128_with_scale(credits, 4);
    e.debits = Decimal::from_i128_with_scale(debits, 4);
    e.final_balance = wallet(cfg).2;
    let cur = e.by_currency.entry(CURRENCY.into()).or_default();
    cur.count = e.count;
    cur.credits = e.credits;
    cur.debits = e.debits;
    e
}
