//! Deterministic wallet data: the fake "ledger" every provider serves.
//!
//! Terms:
//! - A *wallet* ([`FakeWallet`]) holds one currency and an ordered history of
//!   *transactions* ([`FakeTx`]), oldest first (`seq` 0 is the oldest).
//! - *Chaining*: for every transaction `balance_after = balance_before + delta`,
//!   where `delta` is `+amount` for a credit and `-(amount + fee)` for a debit,
//!   and `0` for a transaction that is not completed (Flexprice `pending` or
//!   `failed`). Each `balance_before` equals the previous `balance_after`
//!   (or the wallet's opening balance), and the wallet's balance is the last
//!   `balance_after`.
//! - Only Papaya debits carry fees; every other provider's `fee` is zero.
//!
//! Everything is generated from the configured seed, so two servers started
//! with the same [`crate::FakeConfig`] serve the same ids, amounts and texts.

use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

/// Which way money moved, seen from the wallet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Credit,
    Debit,
}

/// Settlement state (only Flexprice ever has anything but `Completed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TxStatus {
    Completed,
    Pending,
    Failed,
}

/// The other side of a currency conversion.
#[derive(Clone, Debug, PartialEq)]
pub struct Fx {
    /// The other currency.
    pub currency: String,
    /// The amount in the other currency.
    pub amount: Decimal,
    /// Units of wallet currency per unit of the other currency: the wallet
    /// amount is (about, after rounding) `amount * rate`.
    pub rate: Decimal,
}

/// One transaction as the fake stores it (the served records are views of it).
#[derive(Clone, Debug, PartialEq)]
pub struct FakeTx {
    /// The provider's record id (for Baanx, which serves no id, an internal one).
    pub id: String,
    /// Position in the wallet's history, 0 = oldest.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub direction: Direction,
    /// Always positive, in the wallet's currency.
    pub amount: Decimal,
    /// Fee taken on top of a debit (Papaya only), else zero.
    pub fee: Decimal,
    pub balance_before: Decimal,
    pub balance_after: Decimal,
    pub currency: String,
    pub description: String,
    /// Provider-specific category: Exlr8 `activity`, Flexprice
    /// `transaction_reason`, Papaya item `type`, Spaaza `campaign`.
    pub category: String,
    pub status: TxStatus,
    pub fx: Option<Fx>,
}

impl FakeTx {
    /// The change this transaction makes to the balance.
    pub fn delta(&self) -> Decimal {
        match (self.status, self.direction) {
            (TxStatus::Completed, Direction::Credit) => self.amount,
            (TxStatus::Completed, Direction::Debit) => -(self.amount + self.fee),
            _ => Decimal::ZERO,
        }
    }
}

/// One wallet with its full history.
#[derive(Clone, Debug)]
pub struct FakeWallet {
    pub id: String,
    /// As the provider spells it (`USD`, `usd`, `usdc`).
    pub currency: String,
    pub name: String,
    /// Wallet type: Baanx `CREDIT`/`REWARD`/`INTERNAL`, Flexprice
    /// `PRE_PAID`/`PROMOTIONAL`, else `WALLET`.
    pub kind: String,
    /// Owner: Spaaza user id, Flexprice customer id, else empty.
    pub owner: String,
    pub opening_balance: Decimal,
    pub txs: Vec<FakeTx>,
}

impl FakeWallet {
    pub fn balance(&self) -> Decimal {
        self.txs.last().map_or(self.opening_balance, |t| t.balance_after)
    }

    /// Recomputes every before/after balance from the opening balance.
    pub fn rechain(&mut self) {
        let mut running = self.opening_balance;
        for tx in &mut self.txs {
            tx.balance_before = running;
            running += tx.delta();
            tx.balance_after = running;
        }
    }
}

/// How a provider's records look; drives [`Generator::append`].
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    /// Timestamps are truncated to this many fractional digits (0, 3 or 6).
    pub time_digits: u32,
    pub debit_fees: bool,
    /// Baanx: sometimes repeat the previous row exactly.
    pub identical_rows: bool,
    pub ids: IdStyle,
    pub categories: fn(Direction, u64) -> &'static str,
    /// Probability that a row carries a currency conversion.
    pub fx_currency: Option<&'static str>,
}

#[derive(Clone, Copy, Debug)]
pub enum IdStyle {
    Uuid,
    /// `prefix` + 26 upper-case base-32 characters (ULID-like).
    Prefixed(&'static str),
    /// A positive integer, unique per provider.
    Integer,
}

const DESCRIPTIONS: &[&str] = &[
    "INCOMING MONEY XFR",
    "Invoice 2024-17, consulting",
    "Refund for \"damaged\" item",
    "Zahlung an Müller & Söhne GmbH",
    "東京オフィス 家賃",
    "Bonus 🎉 payout",
    "Payroll, March\nbatch 2",
    "O'Brien, Ltd. – services",
    "Transfer ← savings; ref \"A,B\"",
    "Card purchase - Starbucks",
    "Deposit",
    "Credit withdrawal",
];

/// Seeded generator of ids, amounts and timestamps.
pub struct Generator {
    rng: StdRng,
    next_int: u64,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        Generator { rng: StdRng::seed_from_u64(seed), next_int: 100_000 }
    }

    pub fn uuid(&mut self) -> String {
        let a: u32 = self.rng.random();
        let b: u16 = self.rng.random();
        let c: u16 = self.rng.random::<u16>() & 0x0fff;
        let d: u16 = (self.rng.random::<u16>() & 0x3fff) | 0x8000;
        let e: u64 = self.rng.random::<u64>() & 0xffff_ffff_ffff;
        format!("{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}")
    }

    pub fn id(&mut self, style: IdStyle) -> String {
        match style {
            IdStyle::Uuid => self.uuid(),
            IdStyle::Prefixed(p) => {
                const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
                let s: String = (0..26)
                    .map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())] as char)
                    .collect();
                format!("{p}{s}")
            }
            IdStyle::Integer => {
                self.next_int += self.rng.random_range(1..7);
                self.next_int.to_string()
            }
        }
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.random_range(0..items.len())]
    }

    /// A positive amount with 2 to 4 decimals (sometimes none); now and then
    /// a very large one that `f64` cannot hold exactly.
    pub fn amount(&mut self) -> Decimal {
        let scale: u32 = match self.rng.random_range(0..10) {
            0 => 0,
            1..=5 => 2,
            6..=7 => 3,
            _ => 4,
        };
        let units: i64 = match self.rng.random_range(0..100) {
            0..=69 => self.rng.random_range(1..1_000),
            70..=95 => self.rng.random_range(1_000..100_000),
            _ => self.rng.random_range(1_000_000..1_000_000_000_000),
        };
        let frac: i64 = if scale == 0 { 0 } else { self.rng.random_range(1..10i64.pow(scale)) };
        Decimal::new(units * 10i64.pow(scale) + frac, scale)
    }

    fn truncate(at: DateTime<Utc>, digits: u32) -> DateTime<Utc> {
        let unit = match digits {
            0 => Duration::seconds(1),
            3 => Duration::milliseconds(1),
            _ => Duration::microseconds(1),
        };
        at.duration_trunc(unit).unwrap_or(at)
    }

    /// Random increasing timestamps: `n` gaps of `gap_us` microseconds
    /// ending at `end`, but never at or before `floor`.
    fn times(&mut self, n: usize, floor: Option<DateTime<Utc>>, end: DateTime<Utc>, gap_us: std::ops::Range<i64>, digits: u32) -> Vec<DateTime<Utc>> {
        let gaps: Vec<i64> = (0..n).map(|_| self.rng.random_range(gap_us.clone())).collect();
        let mut at = end - Duration::microseconds(gaps.iter().sum());
        if let Some(f) = floor {
            at = at.max(f);
        }
        gaps.iter()
            .map(|g| {
                at += Duration::microseconds(*g);
                Self::truncate(at, digits)
            })
            .collect()
    }

    /// Appends `n` new newest transactions ending about `end` (later if the
    /// history already reaches past it). Balances continue from the wallet's
    /// current balance. A fresh history spreads over days, an addition over
    /// minutes.
    pub fn append(&mut self, w: &mut FakeWallet, n: usize, profile: &Profile, end: DateTime<Utc>) {
        let last = w.txs.last().map(|t| t.at);
        let max_gap = if last.is_some() { 600_000_000 } else { 172_800_000_000 };
        let times = self.times(n, last, end, 1_000_000..max_gap, profile.time_digits);
        self.append_at(w, times, profile);
    }

    /// Appends `n` new newest transactions one or two milliseconds apart,
    /// ending about `end` (later only if the history already reaches past
    /// it): rows that just happened, never minutes in the future.
    pub fn append_recent(&mut self, w: &mut FakeWallet, n: usize, profile: &Profile, end: DateTime<Utc>) {
        let last = w.txs.last().map(|t| t.at);
        let times = self.times(n, last, end, 1_000..2_000, profile.time_digits);
        self.append_at(w, times, profile);
    }

    fn append_at(&mut self, w: &mut FakeWallet, times: Vec<DateTime<Utc>>, profile: &Profile) {
        for at in times {
            let seq = w.txs.len() as u64;
            let balance = w.balance();
            if profile.identical_rows && seq > 0 && self.rng.random_range(0..6) == 0 {
                if let Some(prev) = w.txs.last().cloned() {
                    if prev.direction == Direction::Credit || prev.amount <= balance {
                        let id = self.id(profile.ids);
                        w.txs.push(FakeTx { id, seq, balance_before: balance, balance_after: balance, ..prev });
                        w.rechain_last();
                        continue;
                    }
                }
            }
            let mut amount = self.amount();
            let mut direction = if seq == 0 || self.rng.random_range(0..5) < 2 { Direction::Credit } else { Direction::Debit };
            let mut fee = Decimal::ZERO;
            if direction == Direction::Debit {
                if profile.debit_fees && self.rng.random_range(0..3) == 0 {
                    fee = Decimal::new(self.rng.random_range(1..5000), 2);
                }
                if amount + fee > balance {
                    // Spend part of what is there, or turn it into a deposit.
                    let part = (balance * Decimal::new(self.rng.random_range(5..60), 2)).round_dp(2);
                    if part > fee + Decimal::ONE {
                        amount = part - fee;
                    } else {
                        direction = Direction::Credit;
                        fee = Decimal::ZERO;
                    }
                }
            }
            let fx = match profile.fx_currency {
                Some(other) if self.rng.random_range(0..4) == 0 => {
                    let other = if other.eq_ignore_ascii_case(&w.currency) { "USD" } else { other };
                    let rate = Decimal::new(self.rng.random_range(50_000..300_000), 4);
                    let fx_amount = Decimal::new(self.rng.random_range(100..1_000_000), 2);
                    if direction == Direction::Credit {
                        // Exlr8 style: the wallet amount is the converted one.
                        amount = (fx_amount * rate).round_dp(4);
                        Some(Fx { currency: other.into(), amount: fx_amount, rate })
                    } else {
                        Some(Fx { currency: other.into(), amount: (amount / rate).round_dp(2).max(Decimal::new(1, 2)), rate })
                    }
                }
                _ => None,
            };
            let id = self.id(profile.ids);
            let description = self.pick(DESCRIPTIONS).to_string();
            w.txs.push(FakeTx {
                id,
                seq,
                at,
                direction,
                amount,
                fee,
                balance_before: balance,
                balance_after: balance,
                currency: w.currency.clone(),
                description,
                category: (profile.categories)(direction, seq).to_string(),
                status: TxStatus::Completed,
                fx,
            });
            w.rechain_last();
        }
    }
}

impl FakeWallet {
    fn rechain_last(&mut self) {
        let before = self.txs.len().checked_sub(2).map_or(self.opening_balance, |i| self.txs[i].balance_after);
        if let Some(t) = self.txs.last_mut() {
            t.balance_before = before;
            t.balance_after = before + t.delta();
        }
    }
}
