//! Which column holds what: providers do not document their export headers,
//! so columns are found by header name, case-insensitively, ignoring spaces,
//! dashes and dots, and through a list of aliases per field.
//!
//! Terms: a *field* is what Walletbook needs (id, timestamp, amount...); a
//! *header* is the file's name for a column; an *alias* is one header name
//! accepted for a field. The first alias found wins, so the order of each
//! alias list is its preference.

use super::LedgerFileError;

/// Accepted headers per field, most specific first (all normalised).
const ID: &[&str] = &["id", "entry_id", "ledger_id", "ledger_entry_id", "wallet_entry_id", "transaction_id", "txn_id", "tx_id", "record_id", "entry_uuid", "uuid"];
const TIMESTAMP: &[&str] = &[
    "timestamp", "entry_timestamp", "occurred_at", "created_at", "created", "created_date", "creation_date", "entry_date", "transaction_date", "booking_date",
    "datetime", "date_time", "date", "time",
];
const AMOUNT: &[&str] = &["amount", "entry_amount", "transaction_amount", "value", "points", "net_amount"];
const CREDIT: &[&str] = &["credit", "credit_amount", "credits", "amount_in", "paid_in", "money_in"];
const DEBIT: &[&str] = &["debit", "debit_amount", "debits", "amount_out", "paid_out", "money_out"];
const DIRECTION: &[&str] = &["entry_type", "direction", "type", "transaction_type", "credit_debit", "debit_credit", "dc", "sign", "kind"];
const BALANCE: &[&str] = &["balance", "balance_after", "running_balance", "closing_balance", "wallet_balance", "new_balance"];
const BALANCE_BEFORE: &[&str] = &["balance_before", "opening_balance", "previous_balance", "old_balance"];
const CURRENCY: &[&str] = &["currency", "currency_code", "ccy", "wallet_currency"];
const WALLET: &[&str] = &["wallet_id", "wallet", "wallet_key", "wallet_number", "account_id", "account"];
const DESCRIPTION: &[&str] = &["description", "desc", "details", "narrative", "memo", "note", "notes", "comment"];
const CATEGORY: &[&str] = &["campaign", "campaign_name", "category", "reason", "transaction_reason"];
const REFERENCE: &[&str] = &["reference", "retailer_basket_code", "basket_code", "reference_id", "ref", "order_id"];
const COUNTERPARTY: &[&str] = &["counterparty", "counterpart", "merchant", "payee", "payer", "retailer"];
const STATUS: &[&str] = &["status", "transaction_status", "entry_status", "state"];
const FEE: &[&str] = &["fee", "fees", "fee_amount"];

/// How the amount and its sign are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountColumns {
    /// One amount column; the sign, or a direction column when present, tells credit from debit.
    Single { amount: usize, direction: Option<usize> },
    /// Separate credit and debit columns (either may be missing, not both).
    Split { credit: Option<usize>, debit: Option<usize> },
}

/// Column positions of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub id: usize,
    pub timestamp: usize,
    pub amount: AmountColumns,
    pub currency: Option<usize>,
    pub wallet: Option<usize>,
    pub balance: Option<usize>,
    pub balance_before: Option<usize>,
    pub description: Option<usize>,
    pub category: Option<usize>,
    pub reference: Option<usize>,
    pub counterparty: Option<usize>,
    pub status: Option<usize>,
    pub fee: Option<usize>,
}

/// A header as compared: lower case, BOM and quotes gone, runs of anything
/// but letters and digits turned into one `_`.
pub fn normalise(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in header.trim_start_matches('\u{feff}').trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

fn find(normalised: &[String], aliases: &[&str]) -> Option<usize> {
    aliases.iter().find_map(|a| normalised.iter().position(|h| h == a))
}

fn missing(field: &'static str, aliases: &[&str], headers: &[String]) -> LedgerFileError {
    LedgerFileError::MissingColumn { column: field, accepted: aliases.join(", "), found: headers.join(", ") }
}

impl ColumnMap {
    /// Map a header row. `need_wallet` / `need_currency` make those columns
    /// required (they are optional when the caller supplies them).
    pub fn from_headers(headers: &[String], need_wallet: bool, need_currency: bool) -> Result<ColumnMap, LedgerFileError> {
        let n: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let id = find(&n, ID).ok_or_else(|| missing("id", ID, headers))?;
        let timestamp = find(&n, TIMESTAMP).ok_or_else(|| missing("timestamp", TIMESTAMP, headers))?;
        let amount = match find(&n, AMOUNT) {
            Some(amount) => AmountColumns::Single { amount, direction: find(&n, DIRECTION) },
            None => {
                let (credit, debit) = (find(&n, CREDIT), find(&n, DEBIT));
                if credit.is_none() && debit.is_none() {
                    let accepted = [AMOUNT, CREDIT, DEBIT].concat();
                    return Err(missing("amount (or credit/debit)", &accepted, headers));
                }
                AmountColumns::Split { credit, debit }
            }
        };
        let wallet = find(&n, WALLET);
        if need_wallet && wallet.is_none() {
            return Err(missing("wallet id", WALLET, headers));
        }
        let currency = find(&n, CURRENCY);
        if need_currency && currency.is_none() {
            return Err(missing("currency", CURRENCY, headers));
        }
        Ok(ColumnMap {
            id,
            timestamp,
            amount,
            currency,
            wallet,
            balance: find(&n, BALANCE),
            balance_before: find(&n, BALANCE_BEFORE),
            description: find(&n, DESCRIPTION),
            category: find(&n, CATEGORY),
            reference: find(&n, REFERENCE),
            counterparty: find(&n, COUNTERPARTY),
            status: find(&n, STATUS),
            fee: find(&n, FEE),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn maps_spaaza_headers_in_any_case() {
        let h = headers("\u{feff}ID,Wallet ID,TIMESTAMP,Entry-Type,Amount,Balance,Currency,Campaign");
        let m = ColumnMap::from_headers(&h, true, true).unwrap();
        assert_eq!((m.id, m.wallet, m.timestamp), (0, Some(1), 2));
        assert_eq!(m.amount, AmountColumns::Single { amount: 4, direction: Some(3) });
        assert_eq!((m.balance, m.currency, m.category), (Some(5), Some(6), Some(7)));
    }

    #[test]
    fn credit_debit_columns_stand_in_for_amount() {
        let m = ColumnMap::from_headers(&headers("entry_id,date,credit,debit,ccy"), false, true).unwrap();
        assert_eq!(m.amount, AmountColumns::Split { credit: Some(2), debit: Some(3) });
    }

    #[test]
    fn a_missing_column_is_named() {
        let err = ColumnMap::from_headers(&headers("id,timestamp,balance,currency"), false, true).unwrap_err().to_string();
        assert!(err.contains("no amount (or credit/debit) column"), "{err}");
        let err = ColumnMap::from_headers(&headers("id,amount,currency"), false, true).unwrap_err().to_string();
        assert!(err.contains("no timestamp column"), "{err}");
        let err = ColumnMap::from_headers(&headers("id,timestamp,amount"), false, true).unwrap_err().to_string();
        assert!(err.contains("no currency column"), "{err}");
    }
}
