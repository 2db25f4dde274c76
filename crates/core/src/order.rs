//! The canonical order of a wallet's rows: time, then the provider's own
//! order within the instant, then the row id. History, statements,
//! summaries and reconciliation all read rows in this order.
//!
//! Terms:
//! - *instant*: one `occurred_at` value; rows that share it form a *tie*
//!   (a payment and its fee, a batch);
//! - *listing*: the order in which a provider serves a wallet's rows, oldest
//!   first ([`Listing::Ascending`]) or newest first ([`Listing::NewestFirst`]);
//! - *instant order*: a row's place within its instant, 0 first, normalised
//!   to ascending time whatever the listing (`transactions.instant_order`);
//! - *link*: a row *follows* a balance when the provider's balances chain:
//!   its `before` equals that balance, or, where only the after-balance is
//!   reported, that balance plus the row's delta is its `after`. A row or a
//!   balance that is missing links anything.
//!
//! Where rows report balances, the balances are the truth: the order within
//! an instant is the one with the fewest broken links from the row before the
//! instant ([`chain_order`]); among equally good orders, the listing's.

use rust_decimal::Decimal;

use crate::model::{Direction, TxStatus};

/// The order in which a provider lists a wallet's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Listing {
    /// Oldest first (date-range walks, export files).
    #[default]
    Ascending,
    /// Newest first (cursor or page-number walks from the head).
    NewestFirst,
}

/// Whether a row with this status moves the balance (pending and failed rows
/// do not; providers report them with `before = after`).
pub fn moves_balance(status: TxStatus) -> bool {
    !matches!(status, TxStatus::Pending | TxStatus::Failed)
}

/// The change a row makes to the balance. Fees are taken on top: a moving
/// credit adds `amount − fee`, a moving debit takes `amount + fee`.
pub fn delta(direction: Direction, amount: Decimal, fee: Decimal, status: TxStatus) -> Decimal {
    if !moves_balance(status) {
        return Decimal::ZERO;
    }
    match direction {
        Direction::Credit => amount - fee,
        Direction::Debit => -(amount + fee),
    }
}

/// What ordering needs of a row: its reported balances and its delta.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Link {
    pub before: Option<Decimal>,
    pub after: Option<Decimal>,
    pub delta: Decimal,
}

impl Link {
    /// Whether this row can come right after a row whose after-balance is `prev_after`.
    pub fn follows(&self, prev_after: Option<Decimal>) -> bool {
        match (prev_after, self.before, self.after) {
            (Some(p), Some(b), _) => p == b,
            (Some(p), None, Some(a)) => p + self.delta == a,
            _ => true,
        }
    }

    fn has_balance(&self) -> bool {
        self.before.is_some() || self.after.is_some()
    }
}

/// Links that break when `rows` come in `order` after a row whose
/// after-balance is `prev_after` and before the rows of the next instant
/// (`next`, any of which may come first there).
pub fn broken_links(rows: &[Link], order: &[usize], prev_after: Option<Decimal>, next: &[Link]) -> usize {
    let mut last = prev_after;
    let mut broken = 0;
    for &i in order {
        if !rows[i].follows(last) {
            broken += 1;
        }
        last = rows[i].after;
    }
    broken + usize::from(!leads_on(last, next))
}

/// Whether some row of the next instant can follow `last` (no next instant: yes).
fn leads_on(last: Option<Decimal>, next: &[Link]) -> bool {
    next.is_empty() || next.iter().any(|n| n.follows(last))
}

/// Tries of the exhaustive search before the best order found so far is kept.
const SEARCH_BUDGET: usize = 20_000;
/// Ties up to this size are searched exhaustively (within the budget).
const SEARCH_MAX: usize = 8;

/// The order (indexes into `rows`) in which the rows of one instant break
/// the fewest links after `prev_after` and towards the `next` instant's
/// rows; `rows` come in the preferred order (the listing's), which is kept
/// unless another order breaks fewer links.
pub fn chain_order(rows: &[Link], prev_after: Option<Decimal>, next: &[Link]) -> Vec<usize> {
    let identity: Vec<usize> = (0..rows.len()).collect();
    if rows.len() < 2 || !rows.iter().any(Link::has_balance) {
        return identity;
    }
    let mut best_cost = broken_links(rows, &identity, prev_after, next);
    let mut best = identity;
    if best_cost == 0 {
        return best;
    }
    let greedy = greedy_chain(rows, prev_after);
    let cost = broken_links(rows, &greedy, prev_after, next);
    if cost < best_cost {
        best_cost = cost;
        best = greedy;
    }
    if best_cost > 0 && rows.len() <= SEARCH_MAX {
        let mut search = Search { rows, next, best_cost, best: best.clone(), tries: 0, path: Vec::with_capacity(rows.len()), used: vec![false; rows.len()] };
        search.walk(prev_after, 0);
        best = search.best;
    }
    best
}

/// Follow the links: at each step the first row (in preferred order) that
/// follows the last balance; when none does, a row nothing else leads to.
fn greedy_chain(rows: &[Link], prev_after: Option<Decimal>) -> Vec<usize> {
    let mut left: Vec<usize> = (0..rows.len()).collect();
    let mut out = Vec::with_capacity(rows.len());
    let mut last = prev_after;
    while !left.is_empty() {
        let linked = last.and_then(|_| left.iter().position(|&i| rows[i].follows(last)));
        let head = || left.iter().position(|&i| !left.iter().any(|&j| j != i && rows[j].after.is_some() && rows[i].follows(rows[j].after)));
        let k = linked.or_else(head).unwrap_or(0);
        let i = left.remove(k);
        last = rows[i].after;
        out.push(i);
    }
    out
}

/// Branch and bound over orders, in preferred order, keeping strict improvements.
struct Search<'a> {
    rows: &'a [Link],
    next: &'a [Link],
    best_cost: usize,
    best: Vec<usize>,
    tries: usize,
    path: Vec<usize>,
    used: Vec<bool>,
}

impl Search<'_> {
    fn walk(&mut self, last: Option<Decimal>, cost: usize) {
        if cost >= self.best_cost || self.tries >= SEARCH_BUDGET {
            return;
        }
        if self.path.len() == self.rows.len() {
            let cost = cost + usize::from(!leads_on(last, self.next));
            if cost < self.best_cost {
                self.best_cost = cost;
                self.best = self.path.clone();
            }
            return;
        }
        for i in 0..self.rows.len() {
            if self.used[i] {
                continue;
            }
            self.tries += 1;
            let step = usize::from(!self.rows[i].follows(last));
            self.used[i] = true;
            self.path.push(i);
            self.walk(self.rows[i].after, cost + step);
            self.path.pop();
            self.used[i] = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    /// A row from `before` to `after`.
    fn row(before: &str, after: &str) -> Link {
        Link { before: Some(d(before)), after: Some(d(after)), delta: d(after) - d(before) }
    }

    /// A row reporting only its after-balance.
    fn after_only(delta: &str, after: &str) -> Link {
        Link { before: None, after: Some(d(after)), delta: d(delta) }
    }

    #[test]
    fn a_reversed_tie_is_put_in_chain_order() {
        let rows = [row("15", "20"), row("10", "15"), row("5", "10")];
        assert_eq!(chain_order(&rows, Some(d("5")), &[]), vec![2, 1, 0]);
        assert_eq!(chain_order(&rows, None, &[]), vec![2, 1, 0], "the head is the row nothing leads to");
        let after = [after_only("-3", "12"), after_only("5", "15")];
        assert_eq!(chain_order(&after, Some(d("10")), &[]), vec![1, 0]);
    }

    #[test]
    fn the_listing_wins_when_the_balances_do_not_tell() {
        // +5 then −5, or −5 then +5 after 100: only one chains from 100.
        let rows = [row("95", "100"), row("100", "95")];
        assert_eq!(chain_order(&rows, Some(d("100")), &[]), vec![1, 0]);
        // Two pending rows (before = after): both orders chain, the listing stays.
        let pending = [row("95", "95"), row("95", "95")];
        assert_eq!(chain_order(&pending, Some(d("95")), &[]), vec![0, 1]);
        let none = [Link::default(), Link::default()];
        assert_eq!(chain_order(&none, Some(d("1")), &[]), vec![0, 1]);
    }

    #[test]
    fn a_real_break_stays_but_no_order_adds_one() {
        // The middle row of three was lost: 10→15, (15→20 lost), 20→26, listed reversed.
        let rows = [row("20", "26"), row("10", "15")];
        let order = chain_order(&rows, Some(d("10")), &[]);
        assert_eq!(order, vec![1, 0]);
        assert_eq!(broken_links(&rows, &order, Some(d("10")), &[]), 1);
        // The first rows of a wallet: only the next instant tells which one came last.
        let first = [row("95", "90"), row("0", "100")];
        assert_eq!(chain_order(&first, None, &[row("90", "70")]), vec![1, 0]);
        assert_eq!(chain_order(&first, None, &[]), vec![0, 1]);
    }

    /// Every permutation of `items` (Heap's algorithm).
    fn permutations(items: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
        if k <= 1 {
            out.push(items.clone());
            return;
        }
        for i in 0..k {
            permutations(items, k - 1, out);
            let j = if k.is_multiple_of(2) { i } else { 0 };
            items.swap(j, k - 1);
        }
    }

    #[test]
    fn every_listing_of_a_perfect_chain_of_two_to_five_is_put_back() {
        for n in 2..=5usize {
            // Steps of different sizes and signs: 10 → 13 → 9 → 14 → 8 → 15.
            let balances: Vec<i64> = (0..=n as i64).map(|i| if i % 2 == 0 { 10 - i } else { 10 + 2 * i }).collect();
            let chain: Vec<Link> = (0..n).map(|i| row(&balances[i].to_string(), &balances[i + 1].to_string())).collect();
            let mut all = Vec::new();
            permutations(&mut (0..n).collect(), n, &mut all);
            for listed in all {
                let rows: Vec<Link> = listed.iter().map(|&i| chain[i]).collect();
                for prev in [Some(Decimal::from(balances[0])), None] {
                    let order = chain_order(&rows, prev, &[]);
                    let happened: Vec<usize> = order.iter().map(|&k| listed[k]).collect();
                    assert_eq!(happened, (0..n).collect::<Vec<_>>(), "listing {listed:?}, row before {prev:?}");
                }
            }
        }
    }

    #[test]
    fn a_long_reversed_batch_is_chained_by_the_greedy_pass() {
        let rows: Vec<Link> = (0..40).rev().map(|i| row(&i.to_string(), &(i + 1).to_string())).collect();
        let order = chain_order(&rows, Some(d("0")), &[]);
        assert_eq!(broken_links(&rows, &order, Some(d("0")), &[]), 0);
        assert_eq!(order[0], 39);
    }
}
