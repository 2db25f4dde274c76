//! A page's rows as column arrays, written with one statement each way:
//! new rows (with their raw records) by `INSERT … SELECT … FROM UNNEST`,
//! changed rows by `UPDATE … FROM UNNEST`. Static SQL, array binds.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, Row};

use crate::error::Result;
use crate::model::NewTransaction;
use crate::time::to_nanos;

/// The columns of some rows of a page, one array per column.
#[derive(Default)]
pub(super) struct Columns {
    record_id: Vec<String>,
    id_derived: Vec<bool>,
    raw: Vec<String>,
    fields: Fields,
}

/// The columns an insert and an update both write, in their parameter order.
#[derive(Default)]
struct Fields {
    occurred_at: Vec<i64>,
    direction: Vec<&'static str>,
    amount: Vec<Decimal>,
    currency: Vec<String>,
    fee: Vec<Option<Decimal>>,
    fx_rate: Vec<Option<Decimal>>,
    original_amount: Vec<Option<Decimal>>,
    original_currency: Vec<Option<String>>,
    balance_before: Vec<Option<Decimal>>,
    balance_after: Vec<Option<Decimal>>,
    description: Vec<Option<String>>,
    counterparty: Vec<Option<String>>,
    reference: Vec<Option<String>>,
    category: Vec<Option<String>>,
    status: Vec<&'static str>,
    instant_order: Vec<i64>,
}

impl Fields {
    /// Bind the sixteen arrays, in their order, after the query's earlier parameters.
    fn bind<'q>(self, q: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        q.bind(self.occurred_at)
            .bind(self.direction)
            .bind(self.amount)
            .bind(self.currency)
            .bind(self.fee)
            .bind(self.fx_rate)
            .bind(self.original_amount)
            .bind(self.original_currency)
            .bind(self.balance_before)
            .bind(self.balance_after)
            .bind(self.description)
            .bind(self.counterparty)
            .bind(self.reference)
            .bind(self.category)
            .bind(self.status)
            .bind(self.instant_order)
    }
}

impl Columns {
    pub fn push(&mut self, t: &NewTransaction, instant_order: i64) {
        self.record_id.push(t.record_id.clone());
        self.id_derived.push(t.id_derived);
        self.raw.push(t.raw.clone());
        let f = &mut self.fields;
        f.occurred_at.push(to_nanos(t.occurred_at));
        f.direction.push(t.direction.as_str());
        f.amount.push(t.amount);
        f.currency.push(t.currency.clone());
        f.fee.push(t.fee);
        f.fx_rate.push(t.fx_rate);
        f.original_amount.push(t.original_amount);
        f.original_currency.push(t.original_currency.clone());
        f.balance_before.push(t.balance_before);
        f.balance_after.push(t.balance_after);
        f.description.push(t.description.clone());
        f.counterparty.push(t.counterparty.clone());
        f.reference.push(t.reference.clone());
        f.category.push(t.category.clone());
        f.status.push(t.status.as_str());
        f.instant_order.push(instant_order);
    }

    pub fn is_empty(&self) -> bool {
        self.record_id.is_empty()
    }

    /// Insert the rows (in order, so their ids follow the listing) and
    /// their raw records; returns the new row id of each record id inserted.
    pub async fn insert(self, conn: &mut PgConnection, wallet_id: i64, run_id: Option<i64>) -> Result<HashMap<String, i64>> {
        if self.is_empty() {
            return Ok(HashMap::new());
        }
        let q = sqlx::query(
            "WITH src AS (
               SELECT * FROM UNNEST($2::text[], $3::bool[], $4::int8[], $5::text[], $6::numeric[], $7::text[], $8::numeric[], $9::numeric[],
                                    $10::numeric[], $11::text[], $12::numeric[], $13::numeric[], $14::text[], $15::text[], $16::text[],
                                    $17::text[], $18::text[], $19::int8[], $20::text[])
                 WITH ORDINALITY AS s(record_id, id_derived, occurred_at, direction, amount, currency, fee, fx_rate, original_amount,
                                      original_currency, balance_before, balance_after, description, counterparty, reference, category,
                                      status, instant_order, raw, ord)
             ), ins AS (
               INSERT INTO transactions (wallet_id, record_id, id_derived, occurred_at, direction, amount, currency, fee, fx_rate,
                 original_amount, original_currency, balance_before, balance_after, description, counterparty, reference, category, status,
                 first_run_id, last_run_id, instant_order)
               SELECT $1, record_id, id_derived, occurred_at, direction, amount, currency, fee, fx_rate, original_amount, original_currency,
                 balance_before, balance_after, description, counterparty, reference, category, status, $21, $21, instant_order
               FROM src ORDER BY ord
               ON CONFLICT (wallet_id, record_id) DO NOTHING
               RETURNING id, record_id
             ), raws AS (
               INSERT INTO raw_records (transaction_id, raw) SELECT ins.id, src.raw FROM ins JOIN src USING (record_id)
             )
             SELECT id, record_id FROM ins",
        )
        .bind(wallet_id)
        .bind(self.record_id)
        .bind(self.id_derived);
        let rows = self.fields.bind(q).bind(self.raw).bind(run_id).fetch_all(&mut *conn).await?;
        rows.iter().map(|r| Ok((r.try_get(1)?, r.try_get(0)?))).collect()
    }

    /// Update the rows `ids` (one per row, in order) in place, with their raw records.
    pub async fn update(self, conn: &mut PgConnection, ids: Vec<i64>, run_id: Option<i64>) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        let q = sqlx::query(
            "UPDATE transactions t SET occurred_at = u.occurred_at, direction = u.direction, amount = u.amount, currency = u.currency,
               fee = u.fee, fx_rate = u.fx_rate, original_amount = u.original_amount, original_currency = u.original_currency,
               balance_before = u.balance_before, balance_after = u.balance_after, description = u.description,
               counterparty = u.counterparty, reference = u.reference, category = u.category, status = u.status,
               last_run_id = $18, instant_order = u.instant_order
             FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::numeric[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[],
                         $9::text[], $10::numeric[], $11::numeric[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int8[])
               AS u(id, occurred_at, direction, amount, currency, fee, fx_rate, original_amount, original_currency, balance_before,
                    balance_after, description, counterparty, reference, category, status, instant_order)
             WHERE t.id = u.id",
        )
        .bind(&ids);
        self.fields.bind(q).bind(run_id).execute(&mut *conn).await?;
        sqlx::query("UPDATE raw_records r SET raw = u.raw FROM UNNEST($1::int8[], $2::text[]) AS u(id, raw) WHERE r.transaction_id = u.id").bind(&ids).bind(self.raw).execute(&mut *conn).await?;
        Ok(())
    }
}
