//! Same-instant groups in a generated history (see [`crate::config::Tie`]).
//!
//! Terms: a *tie* is a run of rows sharing one timestamp; its *true order*
//! is the order the balances chain in; the *listing order* is the order the
//! provider serves them in (the history vector's order, `seq` renumbered).
//! Applied after the balances are chained, so a reversed listing or a lost
//! row shows in the served data exactly as a provider would show it.

use crate::config::Tie;
use crate::data::FakeWallet;

impl FakeWallet {
    /// Makes `tie` in this wallet, if the wallet has rows for all of it.
    pub fn make_tie(&mut self, tie: &Tie) {
        let end = tie.first + tie.len;
        if tie.len < 2 || end > self.txs.len() {
            return;
        }
        let at = self.txs[tie.first].at;
        for t in &mut self.txs[tie.first..end] {
            t.at = at;
        }
        if tie.listed_reversed {
            self.txs[tie.first..end].reverse();
        }
        if let Some(k) = tie.missing.filter(|k| *k < tie.len) {
            let i = if tie.listed_reversed { end - 1 - k } else { tie.first + k };
            self.txs.remove(i);
        }
        for (seq, t) in self.txs.iter_mut().enumerate() {
            t.seq = seq as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FakeConfig, FakeProvider};
    use crate::data::Generator;

    #[test]
    fn a_reversed_tie_keeps_its_chain_in_true_order() {
        let mut gen = Generator::new(3);
        let cfg = FakeConfig { transactions_per_wallet: 12, ..FakeConfig::default() };
        let mut w = crate::fixtures::wallets(FakeProvider::Exlr8, &cfg, &mut gen).remove(0);
        let before: Vec<String> = w.txs.iter().map(|t| t.id.clone()).collect();
        w.make_tie(&Tie { first: 4, len: 3, listed_reversed: true, missing: Some(1) });
        let ids: Vec<&str> = w.txs.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids[3..6], [before[3].as_str(), before[6].as_str(), before[4].as_str()]);
        assert_eq!(w.txs[4].at, w.txs[5].at);
        assert_eq!(w.txs[3].balance_after, w.txs[5].balance_before, "the oldest row of the tie is listed last");
        assert_ne!(w.txs[5].balance_after, w.txs[4].balance_before, "its successor was lost");
        assert!(w.txs.iter().enumerate().all(|(i, t)| t.seq == i as u64));
    }
}
