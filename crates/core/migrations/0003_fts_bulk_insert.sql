-- New rows reach the full-text index in one statement per page (see
-- db/store.rs), not through a per-row trigger: FTS5 flushes its pending
-- index at every statement savepoint, so a per-row trigger wrote one tiny
-- segment per row and dominated the cost of a sync. The update and delete
-- triggers stay: those are rare.
DROP TRIGGER transactions_fts_insert;
