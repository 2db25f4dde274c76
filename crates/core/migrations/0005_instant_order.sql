-- The canonical order of a wallet's rows: time, then the provider's own
-- order within the instant, then id (see crates/core/src/order.rs). Rows
-- that share an instant (a payment and its fee, a batch) get their place
-- in `instant_order`, 0 first, in ascending time whatever order the
-- provider lists them in; db/store.rs keeps it at every commit.
ALTER TABLE transactions ADD COLUMN instant_order INTEGER NOT NULL DEFAULT 0;

-- Rows stored before were ordered by id within an instant: the listing
-- order of providers that list oldest first, the reverse of it for those
-- that list newest first (Exlr8, Baanx). Only ties are touched.
UPDATE transactions SET instant_order = ranked.pos
FROM (
    SELECT t.id AS id,
           ROW_NUMBER() OVER (
               PARTITION BY t.wallet_id, t.occurred_at
               ORDER BY CASE WHEN c.provider IN ('exlr8', 'baanx') THEN -t.id ELSE t.id END
           ) - 1 AS pos
    FROM transactions t
    JOIN wallets w ON w.id = t.wallet_id
    JOIN connections c ON c.id = w.connection_id
) AS ranked
WHERE ranked.id = transactions.id AND ranked.pos > 0;

-- Keyset paging and the first/last row of a period walk these in order.
DROP INDEX transactions_wallet_time;
CREATE INDEX transactions_wallet_time ON transactions (wallet_id, occurred_at, instant_order, id);
DROP INDEX transactions_time;
CREATE INDEX transactions_time ON transactions (occurred_at, instant_order, id);
