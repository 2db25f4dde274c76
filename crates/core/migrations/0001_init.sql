-- Walletbook cache schema, version 1. Migrations are append-only: never edit
-- a released file, add a new one.
--
-- Conventions:
--   * money is TEXT holding a canonical decimal (rust_decimal); never REAL;
--   * amount_key is an order-preserving TEXT encoding of amount, for sorting
--     and range filters (see walletbook_core::money::amount_key);
--   * times are INTEGER Unix nanoseconds in UTC.

CREATE TABLE connections (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    provider    TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    -- Non-secret settings as JSON (client id, chain id, wallet selection...).
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

CREATE TABLE wallets (
    id                  INTEGER PRIMARY KEY,
    connection_id       INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    provider_wallet_id  TEXT NOT NULL,
    kind                TEXT NOT NULL,
    currency            TEXT NOT NULL,
    name                TEXT,
    -- Balance the provider reported at discovery time, and when.
    current_balance     TEXT,
    balance_as_of       INTEGER,
    last_sync_at        INTEGER,
    last_sync_status    TEXT,
    last_sync_message   TEXT,
    UNIQUE (connection_id, provider_wallet_id, kind, currency)
);

CREATE TABLE transactions (
    id                  INTEGER PRIMARY KEY,
    wallet_id           INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
    record_id           TEXT NOT NULL,
    id_derived          INTEGER NOT NULL DEFAULT 0,
    occurred_at         INTEGER NOT NULL,
    direction           TEXT NOT NULL CHECK (direction IN ('credit', 'debit')),
    amount              TEXT NOT NULL,
    amount_key          TEXT NOT NULL,
    currency            TEXT NOT NULL,
    fee                 TEXT,
    fx_rate             TEXT,
    original_amount     TEXT,
    original_currency   TEXT,
    balance_before      TEXT,
    balance_after       TEXT,
    description         TEXT,
    counterparty        TEXT,
    reference           TEXT,
    category            TEXT,
    status              TEXT NOT NULL,
    first_run_id        INTEGER,
    last_run_id         INTEGER,
    UNIQUE (wallet_id, record_id)
);
CREATE INDEX transactions_wallet_time ON transactions (wallet_id, occurred_at, id);
CREATE INDEX transactions_time ON transactions (occurred_at, id);
CREATE INDEX transactions_wallet_amount ON transactions (wallet_id, amount_key, id);
CREATE INDEX transactions_amount ON transactions (amount_key, id);

-- The provider's record exactly as received (JSON object or CSV row as JSON).
CREATE TABLE raw_records (
    transaction_id  INTEGER PRIMARY KEY REFERENCES transactions(id) ON DELETE CASCADE,
    raw             TEXT NOT NULL
);

-- Full-text search over description, counterparty and reference.
CREATE VIRTUAL TABLE transactions_fts USING fts5 (
    description, counterparty, reference,
    content = 'transactions', content_rowid = 'id', tokenize = 'unicode61'
);
CREATE TRIGGER transactions_fts_insert AFTER INSERT ON transactions BEGIN
    INSERT INTO transactions_fts (rowid, description, counterparty, reference)
    VALUES (new.id, new.description, new.counterparty, new.reference);
END;
CREATE TRIGGER transactions_fts_delete AFTER DELETE ON transactions BEGIN
    INSERT INTO transactions_fts (transactions_fts, rowid, description, counterparty, reference)
    VALUES ('delete', old.id, old.description, old.counterparty, old.reference);
END;
CREATE TRIGGER transactions_fts_update AFTER UPDATE OF description, counterparty, reference ON transactions BEGIN
    INSERT INTO transactions_fts (transactions_fts, rowid, description, counterparty, reference)
    VALUES ('delete', old.id, old.description, old.counterparty, old.reference);
    INSERT INTO transactions_fts (rowid, description, counterparty, reference)
    VALUES (new.id, new.description, new.counterparty, new.reference);
END;

-- Where each wallet's sync stands. `state` is connector-defined JSON.
CREATE TABLE checkpoints (
    wallet_id   INTEGER PRIMARY KEY REFERENCES wallets(id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE sync_runs (
    id              INTEGER PRIMARY KEY,
    connection_id   INTEGER REFERENCES connections(id) ON DELETE SET NULL,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    status          TEXT NOT NULL DEFAULT 'running',
    full_refetch    INTEGER NOT NULL DEFAULT 0,
    message         TEXT
);

-- Per-wallet outcome of a run.
CREATE TABLE sync_run_wallets (
    run_id          INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    wallet_id       INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
    pages           INTEGER NOT NULL DEFAULT 0,
    new_records     INTEGER NOT NULL DEFAULT 0,
    updated_records INTEGER NOT NULL DEFAULT 0,
    unchanged       INTEGER NOT NULL DEFAULT 0,
    quarantined     INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'running',
    message         TEXT,
    PRIMARY KEY (run_id, wallet_id)
);

CREATE TABLE quarantine (
    id              INTEGER PRIMARY KEY,
    wallet_id       INTEGER REFERENCES wallets(id) ON DELETE CASCADE,
    connection_id   INTEGER REFERENCES connections(id) ON DELETE CASCADE,
    run_id          INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL,
    raw             TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    -- The same raw text in the same wallet is quarantined once.
    UNIQUE (wallet_id, raw)
);

-- Period rollups, kept current in the transaction that writes the rows.
-- One row per (zone, wallet, currency, local day), day as YYYY-MM-DD.
-- Failed transactions are excluded; sums are canonical decimal text.
CREATE TABLE rollup_zones (
    zone TEXT PRIMARY KEY
);
CREATE TABLE rollups_daily (
    zone        TEXT NOT NULL,
    wallet_id   INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
    currency    TEXT NOT NULL,
    day         TEXT NOT NULL,
    credits     TEXT NOT NULL,
    debits      TEXT NOT NULL,
    fees        TEXT NOT NULL,
    tx_count    INTEGER NOT NULL,
    PRIMARY KEY (zone, wallet_id, currency, day)
) WITHOUT ROWID;

CREATE TABLE settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
