-- Live state at a provider that a sync changes while it walks and must put
-- back afterwards (Exlr8: the account's selected wallet). The connector's
-- own text of the original state is written here BEFORE the first change
-- and deleted once it has been put back, so a row that is still here means
-- a walk died half-way (kill -9, power cut): the next run of that
-- connection (sync, test, app start) puts the state back first.
-- Never holds a secret.
CREATE TABLE provider_restores (
    connection_id   INTEGER PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    saved_at        INTEGER NOT NULL
);
