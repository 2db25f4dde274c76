//! Spaaza Tasks API wire types, as in `spaaza-wallet-ledger-export.txt`
//! and the providers' README: the export task, its state, the download URL
//! and the classic error envelope.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /tasks` body.
#[derive(Debug, Serialize)]
pub struct NewTask {
    /// The chain id as configured: a number when it reads as one.
    pub chain: Value,
    pub desc: String,
    pub target: Target,
    pub trigger: Trigger,
}

#[derive(Debug, Serialize)]
pub struct Target {
    pub action: &'static str,
    pub export_index: &'static str,
    pub export_format: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Trigger {
    /// When the task runs by itself if `execute` is not honoured (RFC 3339).
    pub once: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
}

/// A segment filter; Walletbook only ever sends one `timestamp` rule.
#[derive(Debug, Serialize)]
pub struct Segment {
    pub entity: &'static str,
    pub index: &'static str,
    pub join: &'static str,
    pub chain_id: Value,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
pub struct Rule {
    pub field_name: &'static str,
    pub field_type: &'static str,
    pub operator: &'static str,
    pub start_date: String,
    /// `is_between_date` only: the last instant included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
}

/// Which entries an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Every entry of the chain.
    All,
    /// Entries strictly after this instant (`is_after_date`).
    After(DateTime<Utc>),
    /// Entries from the first instant to the second, both included
    /// (`is_between_date`, whole seconds as in the document's example).
    Between(DateTime<Utc>, DateTime<Utc>),
}

impl Window {
    /// `All`, or `After` the instant.
    pub fn after(after: Option<DateTime<Utc>>) -> Window {
        after.map_or(Window::All, Window::After)
    }

    /// The lower bound (exclusive for `After`, inclusive for `Between`).
    pub fn start(self) -> Option<DateTime<Utc>> {
        match self {
            Window::All => None,
            Window::After(s) | Window::Between(s, _) => Some(s),
        }
    }
}

impl NewTask {
    /// A CSV `wallet-ledger` export of the entries in `window`.
    pub fn wallet_ledger(chain: &str, window: Window, now: DateTime<Utc>) -> NewTask {
        let chain = chain.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::from(chain));
        let rule = |operator, start, end: Option<DateTime<Utc>>| Rule { field_name: "timestamp", field_type: "date", operator, start_date: rfc3339(start), end_date: end.map(rfc3339) };
        let (rule, desc) = match window {
            Window::All => (None, "Walletbook full wallet ledger export".to_string()),
            Window::After(s) => (Some(rule("is_after_date", s, None)), format!("Walletbook wallet ledger export after {}", rfc3339(s))),
            Window::Between(s, e) => (Some(rule("is_between_date", s, Some(e))), format!("Walletbook wallet ledger export from {} to {}", rfc3339(s), rfc3339(e))),
        };
        let segment = rule.map(|r| Segment { entity: "people", index: "wallet-ledger", join: "all", chain_id: chain.clone(), rules: vec![r] });
        NewTask {
            chain,
            desc,
            target: Target { action: "export", export_index: "wallet-ledger", export_format: "csv" },
            trigger: Trigger { once: rfc3339(now), segment },
        }
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A task as returned by `POST /tasks`, `GET /tasks/{id}` and `execute`.
#[derive(Debug, Deserialize)]
pub struct Task {
    pub id: Value,
    #[serde(default)]
    pub state: Option<TaskState>,
}

/// `state`: `code` goes READY -> INPROGRESS -> DONE or ERROR.
#[derive(Debug, Deserialize)]
pub struct TaskState {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub last_run_date: Option<String>,
}

impl Task {
    /// The id as path text (the API sends an integer; a string is tolerated).
    pub fn id_text(&self) -> Option<String> {
        match &self.id {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        }
    }

    pub fn code(&self) -> &str {
        self.state.as_ref().map(|s| s.code.as_str()).unwrap_or("")
    }
}

/// `GET /tasks/{id}/download_url`.
#[derive(Debug, Deserialize)]
pub struct DownloadUrl {
    pub url: String,
}

/// Where a task stands, from its state code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Running,
    Done,
    Failed,
}

pub fn progress(code: &str) -> Progress {
    match code.trim().to_ascii_uppercase().as_str() {
        "DONE" | "COMPLETED" | "FINISHED" => Progress::Done,
        "ERROR" | "FAILED" | "CANCELLED" | "CANCELED" => Progress::Failed,
        _ => Progress::Running,
    }
}

/// Spaaza's error bodies: the classic envelope `{"result":{..},"error":{code,
/// name, description}}`, other JSON shapes of the Tasks API, or the S3-style
/// XML of an expired download link.
pub fn read_error(status: StatusCode, body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string).filter(|s| !s.is_empty());
        if let Some(e) = v.get("error") {
            match (text(e, "name"), text(e, "description").or_else(|| text(e, "message"))) {
                (Some(n), Some(d)) => return format!("{n}: {d}"),
                (None, Some(d)) | (Some(d), None) => return d,
                _ => {}
            }
            if let Some(s) = e.as_str() {
                return s.to_string();
            }
        }
        for k in ["message", "description", "detail"] {
            if let Some(s) = text(&v, k) {
                return s;
            }
        }
    }
    let tag = |name: &str| body.split_once(&format!("<{name}>")).and_then(|(_, rest)| rest.split_once(&format!("</{name}>"))).map(|(inner, _)| inner.trim().to_string());
    if let (Some(code), Some(message)) = (tag("Code"), tag("Message")) {
        return format!("{code}: {message}");
    }
    crate::http::generic_error_reader(status, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_envelope_xml_and_other_shapes() {
        let envelope = r#"{"result":{"code":2,"status":"error"},"error":{"code":5,"name":"permission_denied","description":"Token has no access to chain 43"}}"#;
        assert_eq!(read_error(StatusCode::FORBIDDEN, envelope), "permission_denied: Token has no access to chain 43");
        let xml = "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";
        assert_eq!(read_error(StatusCode::FORBIDDEN, xml), "AccessDenied: Request has expired");
        assert_eq!(read_error(StatusCode::BAD_REQUEST, r#"{"message":"bad task"}"#), "bad task");
        assert_eq!(read_error(StatusCode::BAD_GATEWAY, ""), "Bad Gateway");
    }

    #[test]
    fn incremental_task_has_an_is_after_date_rule() {
        let after = DateTime::parse_from_rfc3339("2025-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        let body = serde_json::to_value(NewTask::wallet_ledger("42", Window::After(after), after)).unwrap();
        assert_eq!(body["chain"], 42);
        assert_eq!(body["target"]["export_index"], "wallet-ledger");
        assert_eq!(body["trigger"]["segment"]["rules"][0]["operator"], "is_after_date");
        assert_eq!(body["trigger"]["segment"]["rules"][0]["start_date"], "2025-01-02T03:04:05Z");
        assert!(body["trigger"]["segment"]["rules"][0].get("end_date").is_none());
        let full = serde_json::to_value(NewTask::wallet_ledger("42", Window::All, after)).unwrap();
        assert!(full["trigger"].get("segment").is_none());
    }

    #[test]
    fn a_verification_task_has_an_is_between_date_rule_with_both_bounds() {
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
        let window = Window::Between(at("2026-04-01T00:00:00Z"), at("2026-04-30T23:59:59Z"));
        let body = serde_json::to_value(NewTask::wallet_ledger("42", window, at("2026-05-26T12:00:00Z"))).unwrap();
        let rule = &body["trigger"]["segment"]["rules"][0];
        assert_eq!((rule["field_name"].as_str(), rule["field_type"].as_str(), rule["operator"].as_str()), (Some("timestamp"), Some("date"), Some("is_between_date")));
        assert_eq!((rule["start_date"].as_str(), rule["end_date"].as_str()), (Some("2026-04-01T00:00:00Z"), Some("2026-04-30T23:59:59Z")));
        assert_eq!((body["trigger"]["segment"]["join"].as_str(), body["trigger"]["segment"]["chain_id"].as_i64()), (Some("all"), Some(42)));
    }
}
