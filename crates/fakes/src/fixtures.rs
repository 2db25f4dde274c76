//! The wallets each provider starts with and how its records look.

use crate::config::{FakeConfig, FakeProvider};
use crate::data::{Direction, FakeWallet, Generator, IdStyle, Profile, TxStatus};
use rust_decimal::Decimal;

fn papaya_category(_: Direction, seq: u64) -> &'static str {
    if seq % 5 == 3 { "transfer" } else { "payment" }
}

fn exlr8_category(d: Direction, seq: u64) -> &'static str {
    match d {
        Direction::Credit => ["TOPUP", "REFUND", "TOPUP", "ADJUST"][(seq % 4) as usize],
        Direction::Debit => ["PURCHASE", "PURCHASE", "ADJUST"][(seq % 3) as usize],
    }
}

/// Flexprice reasons, including the three the doc does not list
/// (`CREDIT_ADJUSTMENT`, `INVOICE_VOID_REFUND`, `PURCHASED_CREDIT_BONUS`).
fn flexprice_category(d: Direction, seq: u64) -> &'static str {
    const CREDIT: [&str; 8] = [
        "FREE_CREDIT_GRANT",
        "PURCHASED_CREDIT_DIRECT",
        "CREDIT_ADJUSTMENT",
        "SUBSCRIPTION_CREDIT_GRANT",
        "INVOICE_VOID_REFUND",
        "PURCHASED_CREDIT_INVOICED",
        "PURCHASED_CREDIT_BONUS",
        "CREDIT_NOTE",
    ];
    const DEBIT: [&str; 4] = ["INVOICE_PAYMENT", "MANUAL_BALANCE_DEBIT", "INVOICE_PAYMENT", "CREDIT_EXPIRED"];
    match d {
        Direction::Credit => CREDIT[(seq % 8) as usize],
        Direction::Debit => DEBIT[(seq % 4) as usize],
    }
}

fn baanx_category(_: Direction, _: u64) -> &'static str {
    ""
}

fn spaaza_category(d: Direction, seq: u64) -> &'static str {
    match d {
        Direction::Credit => ["Spring, 2024 \"double points\"", "Welcome bonus", "Verjaardag 🎂"][(seq % 3) as usize],
        Direction::Debit => "",
    }
}

pub fn profile(p: FakeProvider) -> Profile {
    match p {
        FakeProvider::Papaya => Profile {
            time_digits: 3,
            debit_fees: true,
            identical_rows: false,
            ids: IdStyle::Uuid,
            categories: papaya_category,
            fx_currency: Some("EUR"),
        },
        FakeProvider::Exlr8 => Profile {
            time_digits: 3,
            debit_fees: false,
            identical_rows: false,
            ids: IdStyle::Uuid,
            categories: exlr8_category,
            fx_currency: Some("AED"),
        },
        FakeProvider::Flexprice => Profile {
            time_digits: 6,
            debit_fees: false,
            identical_rows: false,
            ids: IdStyle::Prefixed("wtx_"),
            categories: flexprice_category,
            fx_currency: None,
        },
        FakeProvider::Baanx => Profile {
            time_digits: 3,
            debit_fees: false,
            identical_rows: true,
            ids: IdStyle::Prefixed("bx_"),
            categories: baanx_category,
            fx_currency: None,
        },
        FakeProvider::Spaaza => Profile {
            time_digits: 0,
            debit_fees: false,
            identical_rows: false,
            ids: IdStyle::Integer,
            categories: spaaza_category,
            fx_currency: None,
        },
    }
}

struct Spec {
    currency: &'static str,
    name: &'static str,
    kind: &'static str,
    owner: &'static str,
    opening: Decimal,
}

fn specs(p: FakeProvider) -> Vec<Spec> {
    let s = |currency, name, kind, owner, opening| Spec { currency, name, kind, owner, opening };
    match p {
        FakeProvider::Papaya => vec![
            s("USD", "Operating, USD", "WALLET", "", Decimal::ZERO),
            s("EUR", "Payroll \"EU\"", "WALLET", "", Decimal::ZERO),
            s("GBP", "Contractors £", "WALLET", "", Decimal::ZERO),
        ],
        FakeProvider::Exlr8 => vec![
            s("INR", "INR wallet", "WALLET", "", Decimal::new(124376972263, 4)),
            s("USD", "USD wallet", "WALLET", "", Decimal::ZERO),
            s("EUR", "EUR wallet", "WALLET", "", Decimal::new(50000, 2)),
        ],
        FakeProvider::Baanx => vec![
            s("usdc", "Credit", "CREDIT", "", Decimal::ZERO),
            s("xrp", "Reward", "REWARD", "", Decimal::ZERO),
            s("usdc", "Internal USDC", "INTERNAL", "", Decimal::ZERO),
            s("usdt", "Internal USDT", "INTERNAL", "", Decimal::ZERO),
        ],
        FakeProvider::Flexprice => vec![
            s("usd", "Prepaid credits", "PRE_PAID", "cust_01HZX4C0FFEE", Decimal::ZERO),
            s("eur", "Prepaid, EU", "PRE_PAID", "cust_01HZX4C0FFEE", Decimal::ZERO),
            s("usd", "Promo credits 🎁", "PROMOTIONAL", "cust_01HZX4BEEF00", Decimal::ZERO),
        ],
        FakeProvider::Spaaza => vec![
            s("EUR", "Loyalty EUR", "WALLET", "1001", Decimal::ZERO),
            s("GBP", "Loyalty GBP", "WALLET", "1002", Decimal::ZERO),
            s("USD", "Loyalty USD", "WALLET", "1003", Decimal::ZERO),
        ],
    }
}

/// The wallets `p` starts with, generated from `gen`.
pub fn wallets(p: FakeProvider, cfg: &FakeConfig, gen: &mut Generator) -> Vec<FakeWallet> {
    let prof = profile(p);
    let n = cfg.count_for(p);
    specs(p)
        .into_iter()
        .map(|spec| {
            let id = match p {
                FakeProvider::Flexprice => gen.id(IdStyle::Prefixed("wallet_")),
                FakeProvider::Spaaza => gen.id(IdStyle::Integer),
                _ => gen.uuid(),
            };
            let mut w = FakeWallet {
                id,
                currency: spec.currency.into(),
                name: spec.name.into(),
                kind: spec.kind.into(),
                owner: spec.owner.into(),
                opening_balance: spec.opening,
                txs: Vec::new(),
            };
            gen.append(&mut w, n, &prof, cfg.anchor);
            if p == FakeProvider::Flexprice && w.kind == "PRE_PAID" {
                let pending = cfg.flexprice_pending_per_wallet.min(w.txs.len());
                let start = w.txs.len() - pending;
                for t in &mut w.txs[start..] {
                    t.status = TxStatus::Pending;
                }
                w.rechain();
            }
            for tie in &cfg.ties {
                w.make_tie(tie);
            }
            w
        })
        .collect()
}
