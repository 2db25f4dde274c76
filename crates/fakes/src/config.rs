//! What a fake server is started with: providers, credentials and modes.

use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeMap;
use std::time::Duration;

/// The five faked providers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FakeProvider {
    Spaaza,
    Flexprice,
    Papaya,
    Exlr8,
    Baanx,
}

impl FakeProvider {
    pub const ALL: [FakeProvider; 5] =
        [FakeProvider::Spaaza, FakeProvider::Flexprice, FakeProvider::Papaya, FakeProvider::Exlr8, FakeProvider::Baanx];

    /// Lower-case name, as used in the binary's JSON line.
    pub fn name(self) -> &'static str {
        match self {
            FakeProvider::Spaaza => "spaaza",
            FakeProvider::Flexprice => "flexprice",
            FakeProvider::Papaya => "papaya",
            FakeProvider::Exlr8 => "exlr8",
            FakeProvider::Baanx => "baanx",
        }
    }

    /// Path prefix on the shared server; the provider's base URL is
    /// `http://127.0.0.1:PORT` + this.
    pub fn prefix(self) -> &'static str {
        match self {
            FakeProvider::Spaaza => "/spaaza",
            FakeProvider::Flexprice => "/flexprice/v1",
            FakeProvider::Papaya => "/papaya",
            FakeProvider::Exlr8 => "/exlr8",
            FakeProvider::Baanx => "/baanx",
        }
    }
}

/// The credentials the fakes accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub papaya_api_key: String,
    pub papaya_client_secret: String,
    /// Also the Exlr8 `dpID`.
    pub exlr8_client_id: String,
    pub exlr8_client_secret: String,
    pub baanx_client_key: String,
    pub baanx_access_token: String,
    pub flexprice_api_key: String,
    pub spaaza_token_id: String,
    pub spaaza_token_secret: String,
    pub spaaza_chain_id: u64,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            papaya_api_key: "papaya-key".into(),
            papaya_client_secret: "papaya-secret".into(),
            exlr8_client_id: "dp-123".into(),
            exlr8_client_secret: "exlr8-secret".into(),
            baanx_client_key: "baanx-client".into(),
            baanx_access_token: "baanx-token".into(),
            flexprice_api_key: "flex-key".into(),
            spaaza_token_id: "tok-id".into(),
            spaaza_token_secret: "tok-secret".into(),
            spaaza_chain_id: 42,
        }
    }
}

/// Which body Flexprice errors carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlexErrorShape {
    /// `{"code","message","http_status_code","details"}`; a 401 is
    /// `{"error":"Unauthorized"}` as from the real auth middleware.
    Current,
    /// `{"success":false,"error":{"message",...}}` for every error.
    Legacy,
    /// `{"error":"..."}` for every error.
    Bare,
}

/// How a Spaaza task ends once it has run for `spaaza_polls_to_finish` polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpaazaOutcome {
    Done,
    Error,
    /// Stays `INPROGRESS` forever.
    NeverFinish,
}

/// Variants of the Spaaza CSV export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpaazaCsv {
    Standard,
    /// The named column (e.g. `"amount"`) is left out.
    MissingColumn(String),
    /// Header names in upper case (`ID`, `AMOUNT`, ...).
    UppercaseHeaders,
}

/// A group of rows that share one instant (a payment and its fee, a batch),
/// made in every wallet of every provider that has enough rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tie {
    /// Position of the group's oldest row in the wallet's history (0 = oldest).
    pub first: usize,
    /// Rows in the group; they all get the oldest row's timestamp.
    pub len: usize,
    /// The provider lists the group's rows in the reverse of the order in
    /// which they happened; the balances still chain in the true order.
    pub listed_reversed: bool,
    /// A planted real break: the group's row at this index (0 = oldest) is
    /// lost by the provider (never served), so the balance chain breaks
    /// there whatever the order.
    pub missing: Option<usize>,
}

impl Tie {
    /// `len` rows from position `first`, listed in their true order.
    pub fn new(first: usize, len: usize) -> Tie {
        Tie { first, len, ..Tie::default() }
    }
}

/// Everything the fake server is started with. All fields can be changed
/// later through [`crate::FakeHandle::configure`] except `port`, `seed`,
/// the transaction counts, `anchor`, `exlr8_large` and `ties`, which shape the data.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub seed: u64,
    /// Transactions generated per wallet.
    pub transactions_per_wallet: usize,
    /// Per-provider overrides of `transactions_per_wallet`.
    pub transactions: BTreeMap<FakeProvider, usize>,
    /// The newest generated transaction is close to this instant.
    pub anchor: DateTime<Utc>,
    pub credentials: Credentials,
    /// Caps Papaya token lifetime (tests use a few seconds).
    pub papaya_token_lifetime: Option<Duration>,
    /// Flexprice: newest N transactions of each `PRE_PAID` wallet start `pending`.
    pub flexprice_pending_per_wallet: usize,
    pub flexprice_error_shape: FlexErrorShape,
    /// Flexprice: after each `transactions/search` page, one new newest row is
    /// added to the searched wallet, up to this many rows in all (0 = off).
    pub flexprice_live_inserts: usize,
    /// Spaaza: polls of a running task before it finishes (0 = at once).
    pub spaaza_polls_to_finish: u32,
    pub spaaza_outcome: SpaazaOutcome,
    /// Lifetime of a Spaaza download URL.
    pub spaaza_url_ttl: Duration,
    pub spaaza_csv: SpaazaCsv,
    /// Benchmark mode: Exlr8 serves ONE wallet of this many transactions,
    /// generated on the fly from the index.
    pub exlr8_large: Option<u64>,
    /// Benchmark mode: every Spaaza export is this many rows over up to
    /// 1,000 wallets, generated while it is sent (see [`crate::spaaza_large`]).
    pub spaaza_large: Option<u64>,
    /// Same-instant groups (none by default); see [`Tie`].
    pub ties: Vec<Tie>,
    /// Every request waits this long before it is answered, as a distant
    /// server's round trip would (zero by default). Concurrent requests wait
    /// at the same time, as they do at a real server.
    pub latency: Duration,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            port: 0,
            seed: 7,
            transactions_per_wallet: 30,
            transactions: BTreeMap::new(),
            anchor: Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).single().unwrap_or_default(),
            credentials: Credentials::default(),
            papaya_token_lifetime: None,
            flexprice_pending_per_wallet: 2,
            flexprice_error_shape: FlexErrorShape::Current,
            flexprice_live_inserts: 0,
            spaaza_polls_to_finish: 2,
            spaaza_outcome: SpaazaOutcome::Done,
            spaaza_url_ttl: Duration::from_secs(3600),
            spaaza_csv: SpaazaCsv::Standard,
            exlr8_large: None,
            spaaza_large: None,
            ties: Vec::new(),
            latency: Duration::ZERO,
        }
    }
}

impl FakeConfig {
    /// Transactions generated per wallet of `p`.
    pub fn count_for(&self, p: FakeProvider) -> usize {
        self.transactions.get(&p).copied().unwrap_or(self.transactions_per_wallet)
    }

    /// Every request answered after `latency` (see [`FakeConfig::latency`]).
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Sets the transaction count for one provider.
    pub fn with_transactions(mut self, p: FakeProvider, n: usize) -> Self {
        self.transactions.insert(p, n);
        self
    }
}
