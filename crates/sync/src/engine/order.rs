//! The order in which a run's connections take their slots: the longest
//! first, by each connection's last finished run (a connection never synced
//! counts as longest: a first sync fetches everything). A long connection
//! that started last would leave the run waiting on it alone at the end;
//! started first, it overlaps with all the short ones ("longest processing
//! time first"). Connections of equal length keep the cache's order.
//!
//! Before all of them go the connections that wait for work running at
//! their provider (a Spaaza export, see [`crate::slot`]): most of their
//! time is waiting, which overlaps the others' requests only when they
//! start early; a last run measured among other connections (all at once,
//! say) can make one look shorter than a busy connection and start it late.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::{DateTime, TimeDelta};
use walletbook_core::db::runs::SyncRunEntry;
use walletbook_core::model::{Connection, Provider};

/// How many recent runs are read to find each connection's last one.
pub(super) const RECENT_RUNS: i64 = 500;

/// `connections`, longest first by their last finished run in `runs` (newest first).
pub(super) fn longest_first(mut connections: Vec<Connection>, runs: &[SyncRunEntry]) -> Vec<Connection> {
    let mut last: HashMap<&str, TimeDelta> = HashMap::new();
    for run in runs {
        let (Some(name), Some(finished)) = (run.connection_name.as_deref(), run.finished_at.as_deref()) else { continue };
        if last.contains_key(name) {
            continue;
        }
        if let (Ok(start), Ok(end)) = (DateTime::parse_from_rfc3339(&run.started_at), DateTime::parse_from_rfc3339(finished)) {
            last.insert(name, end - start);
        }
    }
    connections.sort_by_key(|c| (Reverse(waits_on_provider(c.provider)), Reverse(last.get(c.name.as_str()).copied().unwrap_or(TimeDelta::MAX))));
    connections
}

/// Whether a sync of `provider` waits for work running at the provider.
fn waits_on_provider(provider: Provider) -> bool {
    provider == Provider::Spaaza
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(name: &str) -> Connection {
        Connection { id: 0, name: name.into(), provider: Provider::Flexprice, base_url: String::new(), settings: Default::default() }
    }

    fn run(name: &str, started: &str, finished: Option<&str>) -> SyncRunEntry {
        SyncRunEntry { id: 0, connection_name: Some(name.into()), started_at: started.into(), finished_at: finished.map(str::to_string), status: "ok".into(), full_refetch: false, message: None }
    }

    #[test]
    fn the_longest_last_run_starts_first_and_a_new_connection_before_all() {
        let runs = [
            run("quick", "2026-11-30T10:00:00Z", Some("2026-11-30T10:00:00.200Z")),
            run("export", "2026-11-30T10:00:00Z", Some("2026-11-30T10:00:01.500Z")),
            run("walk", "2026-11-30T10:00:00Z", None),
            run("walk", "2026-11-30T09:00:00Z", Some("2026-11-30T09:00:00.800Z")),
            // An older, longer run of "quick" does not count: the newest does.
            run("quick", "2026-11-29T10:00:00Z", Some("2026-11-29T10:00:09Z")),
        ];
        let names: Vec<String> = longest_first(["quick", "walk", "new", "export"].map(connection).to_vec(), &runs).into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["new", "export", "walk", "quick"]);
    }

    #[test]
    fn a_connection_waiting_on_its_provider_starts_before_a_longer_one() {
        let runs = [
            run("busy", "2026-11-30T10:00:00Z", Some("2026-11-30T10:00:02Z")),
            run("export", "2026-11-30T10:00:00Z", Some("2026-11-30T10:00:01.500Z")),
            run("export-2", "2026-11-30T10:00:00Z", Some("2026-11-30T10:00:01.800Z")),
        ];
        let export = |name: &str| Connection { provider: Provider::Spaaza, ..connection(name) };
        let names: Vec<String> = longest_first(vec![connection("busy"), export("export"), export("export-2")], &runs).into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["export-2", "export", "busy"]);
    }
}
