-- Roles for a shared Walletbook cache on PostgreSQL (an example: adapt the
-- names). Run once as a superuser (or a role with CREATEROLE and CREATEDB):
--
--   psql -h db.internal -U postgres -d postgres -f deploy/postgres/roles.sql
--
-- Then set each login role's password interactively, so it is never in a
-- file or in the shell's history:
--
--   psql -h db.internal -U postgres -c '\password walletbook'
--   psql -h db.internal -U postgres -c '\password alice'
--
-- Passwords are never part of a --db URL: Walletbook reads PGPASSWORD or
-- ~/.pgpass (PGPASSFILE), as libpq does.

-- The writer: the scheduled sync server (deploy/systemd, deploy/kubernetes)
-- and anyone who syncs, imports, loads the demo, or adds notes, tags, review
-- marks and sign-offs. It owns the database, and Walletbook's migrations run
-- as this role, so it owns the tables too. They also create the `unaccent`
-- extension (text search ignores accents); it is a trusted extension, so
-- the database's owner may create it (PostgreSQL 13 or later, contrib
-- installed: Debian's postgresql package includes it).
CREATE ROLE walletbook LOGIN;
CREATE DATABASE walletbook OWNER walletbook ENCODING 'UTF8' TEMPLATE template0;

-- Reviewers: browse the history, read summaries, reconcile and export;
-- never write. A group role holds the rights; each person logs in as their
-- own member of it.
CREATE ROLE walletbook_readers NOLOGIN;
CREATE ROLE alice LOGIN IN ROLE walletbook_readers;

-- Nobody else may connect (PostgreSQL lets PUBLIC connect by default).
REVOKE ALL ON DATABASE walletbook FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE walletbook TO walletbook;
GRANT CONNECT ON DATABASE walletbook TO walletbook_readers;

\connect walletbook

-- Only the writer creates objects in the schema (PostgreSQL 15 already
-- denies PUBLIC this; older servers did not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO walletbook;
GRANT USAGE ON SCHEMA public TO walletbook_readers;

-- Readers may SELECT every table there is now ...
GRANT SELECT ON ALL TABLES IN SCHEMA public TO walletbook_readers;
-- ... and every table the writer creates later (a new Walletbook version's
-- migrations), with no GRANT to repeat after an upgrade.
ALTER DEFAULT PRIVILEGES FOR ROLE walletbook IN SCHEMA public
    GRANT SELECT ON TABLES TO walletbook_readers;

-- A reader's sync or import is refused by the server (permission denied),
-- and Walletbook says in one sentence that this user may not write the
-- shared cache.
