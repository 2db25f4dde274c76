//! What the demo workspace holds: its connections, wallets and the words its
//! transactions are made of. Everything here is fixed; [`super::gen`] turns
//! it into transactions with a seeded generator.

use walletbook_core::model::Provider;

/// One demo wallet.
pub struct WalletSpec {
    pub provider: Provider,
    pub provider_wallet_id: &'static str,
    pub kind: &'static str,
    pub currency: &'static str,
    pub name: &'static str,
    /// Opening balance in minor units (2 decimals).
    pub opening_cents: i64,
    /// Typical transaction size in minor units.
    pub typical_cents: i64,
}

const fn w(provider: Provider, id: &'static str, kind: &'static str, currency: &'static str, name: &'static str, opening_cents: i64, typical_cents: i64) -> WalletSpec {
    WalletSpec { provider, provider_wallet_id: id, kind, currency, name, opening_cents, typical_cents }
}

/// Every demo wallet, grouped by provider in [`Provider::ALL`] order.
pub const WALLETS: &[WalletSpec] = &[
    w(Provider::Spaaza, "sp-wallet-2001", "WALLET", "EUR", "Loyalty wallet NL", 25_000, 1_800),
    w(Provider::Spaaza, "sp-wallet-2002", "WALLET", "GBP", "Loyalty wallet UK", 12_000, 1_500),
    w(Provider::Flexprice, "wallet_01HDEMOUSDPREPAID", "PRE_PAID", "USD", "Prepaid API credits", 500_000, 12_000),
    w(Provider::Flexprice, "wallet_01HDEMOUSDPROMO", "PROMOTIONAL", "USD", "Promotional credits", 50_000, 2_500),
    w(Provider::Papaya, "3f6c1a52-5b1e-4d3a-9c61-2a7d0e5b9f10", "WALLET", "USD", "Payroll USD", 25_000_000, 450_000),
    w(Provider::Papaya, "8b2e4c71-0d9a-4f3e-b7a2-6c1d5e8f2a34", "WALLET", "EUR", "Payroll EUR", 18_000_000, 380_000),
    w(Provider::Papaya, "c41d7e93-2f6b-4a8c-8e15-9b3a7d2c6f58", "WALLET", "INR", "Payroll India", 900_000_000, 9_500_000),
    w(Provider::Exlr8, "EXW-IN-000417", "WALLET", "INR", "Gift cards India", 150_000_000, 250_000),
    w(Provider::Exlr8, "EXW-US-000418", "WALLET", "USD", "Gift cards US", 2_000_000, 5_000),
    w(Provider::Baanx, "bx-3b9f0c2e-usdc", "CREDIT", "USDC", "Crypto card USDC", 800_000, 3_500),
    w(Provider::Baanx, "bx-7d1e4a6b-eur", "REWARD", "EUR", "Card rewards EUR", 2_000, 150),
];

/// Demo connection name for a provider: clearly labelled as demo.
pub fn connection_name(p: Provider) -> String {
    format!("Demo · {}", p.display_name())
}

/// Demo base URL: not a network address, so nothing can ever sync it.
pub fn base_url(p: Provider) -> String {
    format!("demo://{}", p.as_str())
}

/// (description, counterparty, category) choices for credits and debits.
pub struct Texts {
    pub credits: &'static [(&'static str, &'static str, &'static str)],
    pub debits: &'static [(&'static str, &'static str, &'static str)],
    /// Reference prefix; `None` means this provider sends no references.
    pub reference: Option<&'static str>,
}

pub fn texts(p: Provider) -> Texts {
    match p {
        Provider::Spaaza => Texts {
            credits: &[
                ("Loyalty reward, basket", "Albert Heijn Utrecht", "basket_reward"),
                ("Birthday bonus 🎂", "Spaaza Rewards", "campaign_bonus"),
                ("Refund for \"damaged\" item", "HEMA Amsterdam Centraal", "refund"),
                ("Welcome credit", "Spaaza Rewards", "campaign_bonus"),
            ],
            debits: &[
                ("Redemption at checkout", "Albert Heijn Utrecht", "redemption"),
                ("Redemption, online order", "bol.com", "redemption"),
                ("Voucher expired", "Spaaza Rewards", "expiry"),
            ],
            reference: Some("BSK"),
        },
        Provider::Flexprice => Texts {
            credits: &[
                ("Top-up via Stripe", "Acme Robotics Inc.", "purchased_credit_direct"),
                ("Free credits, onboarding", "Flexprice", "free_credit_grant"),
                ("Invoice 2024-17, consulting credits", "Acme Robotics Inc.", "purchased_credit_invoiced"),
            ],
            debits: &[
                ("Usage: API calls", "Acme Robotics Inc.", "invoiced_usage"),
                ("Usage: storage GB-hours", "Acme Robotics Inc.", "invoiced_usage"),
                ("Credits expired", "Flexprice", "credit_expired"),
            ],
            reference: Some("inv_"),
        },
        Provider::Papaya => Texts {
            credits: &[
                ("Wallet funding, wire", "Walletbook Demo BV", "FUNDING"),
                ("Returned payment", "Papaya Global", "RETURN"),
            ],
            debits: &[
                ("Payroll, Engineering", "José García", "PAYMENT"),
                ("Payroll, Design", "Zoë Müller", "PAYMENT"),
                ("Contractor payment", "Priya Raghunathan", "PAYMENT"),
                ("Contractor payment", "O'Brien, Ltd. – services", "PAYMENT"),
                ("Payroll, March\nbatch 2", "東京オフィス", "PAYMENT"),
                ("+31 20 555 0100 phone allowance", "KPN Zakelijk", "PAYMENT"),
            ],
            reference: Some("PAY"),
        },
        Provider::Exlr8 => Texts {
            credits: &[
                ("Partner settlement", "Exlr8 Settlements", "CREDIT"),
                ("Wallet top-up", "Walletbook Demo Pvt Ltd", "CREDIT"),
            ],
            debits: &[
                ("Gift card purchase, Amazon", "Amazon Pay", "DEBIT"),
                ("Gift card purchase, Flipkart", "Flipkart", "DEBIT"),
                ("Gift card purchase, Starbucks", "Tata Starbucks", "DEBIT"),
                ("=Bonus voucher (spreadsheet test)", "Exlr8 Rewards", "DEBIT"),
            ],
            reference: Some("ORD"),
        },
        Provider::Baanx => Texts {
            credits: &[
                ("Crypto top-up", "Baanx", "TOPUP"),
                ("Cashback reward", "Baanx Rewards", "REWARD"),
            ],
            debits: &[
                ("Card purchase - Starbucks Amsterdam", "Starbucks", "CARD_PAYMENT"),
                ("Card purchase - Albert Heijn", "Albert Heijn", "CARD_PAYMENT"),
                ("Card purchase - NS Reizigers", "NS", "CARD_PAYMENT"),
                ("ATM withdrawal", "ING ATM Leidseplein", "ATM"),
            ],
            reference: None,
        },
    }
}
