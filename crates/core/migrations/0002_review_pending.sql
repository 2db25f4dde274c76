-- Review: pending rows do not move a wallet's balance, but the daily rollups
-- count them. Summaries and derived balances subtract them, found quickly
-- through this small partial index.
CREATE INDEX transactions_pending ON transactions (wallet_id, occurred_at) WHERE status = 'pending';
