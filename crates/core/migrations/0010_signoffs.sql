-- Period sign-offs and late changes (issue 14).
--
-- A sign-off says "wallet W reconciled through DATE": DATE is a local day
-- in the zone named beside it; `period_end` is the UTC instant (nanos) at
-- which the day after DATE starts there, so the signed-off period is
-- `occurred_at < period_end` (since the wallet's previous sign-off).
-- A re-sign of the same date supersedes the earlier sign-off: one live
-- sign-off per wallet and date.
CREATE TABLE signoffs (
    id              INTEGER PRIMARY KEY,
    wallet_id       INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
    through_date    TEXT NOT NULL,
    zone            TEXT NOT NULL,
    period_end      INTEGER NOT NULL,
    closing_balance TEXT,
    balance_source  TEXT NOT NULL CHECK (balance_source IN ('reported', 'derived')),
    note            TEXT,
    -- Signed off although reconciliation showed unexplained breaks (a note is required then).
    forced          INTEGER NOT NULL DEFAULT 0 CHECK (forced = 0 OR note IS NOT NULL),
    breaks_at_signoff INTEGER NOT NULL DEFAULT 0,
    signed_by       TEXT NOT NULL,
    signed_at       INTEGER NOT NULL,
    supersedes      INTEGER REFERENCES signoffs(id) ON DELETE SET NULL,
    superseded_by   INTEGER REFERENCES signoffs(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX signoffs_live_per_date ON signoffs (wallet_id, through_date) WHERE superseded_by IS NULL;
CREATE INDEX signoffs_wallet_end ON signoffs (wallet_id, period_end);

-- A row dated inside a signed-off period that a sync, import or
-- verification added, changed (amount, fee, status or balance) or found no
-- longer listed. Before/after come from the stored raw records.
CREATE TABLE late_changes (
    id              INTEGER PRIMARY KEY,
    wallet_id       INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
    transaction_id  INTEGER REFERENCES transactions(id) ON DELETE SET NULL,
    record_id       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('new', 'changed', 'removed')),
    occurred_at     INTEGER NOT NULL,
    before_raw      TEXT,
    after_raw       TEXT,
    before_amount   TEXT,
    after_amount    TEXT,
    before_fee      TEXT,
    after_fee       TEXT,
    before_status   TEXT,
    after_status    TEXT,
    before_balance  TEXT,
    after_balance   TEXT,
    detected_at     INTEGER NOT NULL,
    run_id          INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL,
    -- The sign-off whose period holds the row.
    signoff_id      INTEGER NOT NULL REFERENCES signoffs(id) ON DELETE CASCADE,
    -- Resolution: a re-sign (the new sign-off) or an acknowledgement.
    resolved_signoff_id INTEGER REFERENCES signoffs(id) ON DELETE SET NULL,
    ack_note        TEXT,
    ack_by          TEXT,
    ack_at          INTEGER
);
CREATE INDEX late_changes_wallet ON late_changes (wallet_id, id);
CREATE INDEX late_changes_run ON late_changes (run_id);
-- A verification that finds a row missing again does not record it twice.
CREATE UNIQUE INDEX late_changes_removed_once ON late_changes (wallet_id, record_id)
    WHERE kind = 'removed' AND resolved_signoff_id IS NULL AND ack_at IS NULL;

-- The raw record a row had before its latest change (kept so before/after
-- of a change are both stored provider text).
CREATE TABLE raw_records_previous (
    transaction_id  INTEGER PRIMARY KEY REFERENCES transactions(id) ON DELETE CASCADE,
    raw             TEXT NOT NULL,
    replaced_at     INTEGER NOT NULL,
    run_id          INTEGER
);
