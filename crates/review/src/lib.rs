//! Review: history, summaries, reconciliation and export over the cache.
