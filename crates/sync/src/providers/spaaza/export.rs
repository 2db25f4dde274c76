//! The export-task flow: create a `wallet-ledger` CSV export task, execute
//! it, poll its state with backoff until DONE (or ERROR, or the overall
//! timeout), fetch the pre-signed download URL, and download the file,
//! asking for a fresh URL when the old one has expired (403).
//!
//! Terms: the *cutoff* of an export is the moment its task was created (the
//! provider's clock when it says so): every entry dated at or before it that
//! existed then is in the file.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::header::AUTHORIZATION;
use walletbook_core::model::Provider;
use walletbook_core::time::parse_timestamp;

use super::wire::{progress, DownloadUrl, NewTask, Progress, Task, Window};
use super::SpaazaOptions;
use crate::error::SyncError;
use crate::http::ProviderHttp;

const P: Provider = Provider::Spaaza;

/// The `Authorization` header value; never printed.
#[derive(Clone)]
pub struct Bearer(pub String);

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bearer <redacted>")
    }
}

/// A downloaded export, kept in a temporary file (deleted when dropped).
#[derive(Debug)]
pub struct ExportFile {
    pub task_id: String,
    pub cutoff: DateTime<Utc>,
    pub file: tempfile::NamedTempFile,
}

/// What one export needs to talk to Spaaza.
pub struct ExportFlow<'a> {
    pub http: &'a ProviderHttp,
    pub base: &'a str,
    pub bearer: &'a Bearer,
    pub chain: &'a str,
    pub options: &'a SpaazaOptions,
}

impl ExportFlow<'_> {
    /// Run one export of the entries in `window`. A task that ends in
    /// ERROR is tried again with a new task, up to `options.task_attempts`
    /// tasks in all.
    pub async fn run(&self, window: Window) -> Result<ExportFile, SyncError> {
        let attempts = self.options.task_attempts.max(1);
        let mut failed = String::new();
        for _ in 0..attempts {
            let requested = Utc::now();
            let task = self.create(window, requested).await?;
            let id = task.id_text().ok_or_else(|| SyncError::Protocol { provider: P, detail: "the new export task has no id".into() })?;
            let cutoff = task.state.as_ref().and_then(|s| s.created_date.as_deref()).and_then(|d| parse_timestamp(d).ok()).unwrap_or(requested);
            self.execute(&id).await?;
            match self.wait(&id).await? {
                Progress::Done => {
                    let file = self.download(&id).await?;
                    return Ok(ExportFile { task_id: id, cutoff, file });
                }
                _ => {
                    tracing::warn!(task = %id, "Spaaza export task ended in ERROR");
                    failed = id;
                }
            }
        }
        Err(SyncError::Unavailable { provider: P, attempts, detail: format!("the wallet ledger export task ended in ERROR each time, the last one was task {failed}") })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn create(&self, window: Window, now: DateTime<Utc>) -> Result<Task, SyncError> {
        let body = NewTask::wallet_ledger(self.chain, window, now);
        let url = self.url("/tasks");
        let created = self.http.json::<Task>(|c| c.post(&url).header(AUTHORIZATION, &self.bearer.0).json(&body)).await;
        created.map_err(|e| match e {
            SyncError::Auth { provider, detail } if detail.starts_with("permission_denied") || detail.contains("chain") => SyncError::Auth {
                provider,
                detail: format!("{detail}; the access token belongs to another chain than {}, so check the chain id and the token", self.chain),
            },
            other => other,
        })
    }

    /// Start the task now. A task that cannot be executed on demand still runs at `trigger.once`.
    async fn execute(&self, id: &str) -> Result<(), SyncError> {
        let url = self.url(&format!("/tasks/{id}/execute"));
        match self.http.send(|c| c.post(&url).header(AUTHORIZATION, &self.bearer.0)).await {
            Ok(_) => Ok(()),
            Err(SyncError::Rejected { status, detail, .. }) => {
                tracing::info!(task = %id, status, %detail, "Spaaza did not execute the task on demand; waiting for its trigger");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Poll until the task is DONE or has failed, with doubling delays, for at most `options.timeout`.
    async fn wait(&self, id: &str) -> Result<Progress, SyncError> {
        let url = self.url(&format!("/tasks/{id}"));
        let started = Instant::now();
        let mut delay = self.options.poll_first;
        let mut polls = 0u32;
        loop {
            let task: Task = self.http.json(|c| c.get(&url).header(AUTHORIZATION, &self.bearer.0)).await?;
            polls += 1;
            match progress(task.code()) {
                Progress::Running => {}
                done => return Ok(done),
            }
            if started.elapsed() + delay > self.options.timeout {
                let limit = self.options.timeout.as_secs_f32();
                return Err(SyncError::Unavailable {
                    provider: P,
                    attempts: polls,
                    detail: format!("export task {id} was still {} after {limit:.0} s; a larger export_timeout_secs setting waits longer", task.code()),
                });
            }
            // The task runs at Spaaza: another connection may work meanwhile.
            crate::slot::idle(delay).await;
            delay = (delay * 2).min(self.options.poll_max);
        }
    }

    /// Fetch the download URL and the file; an expired or refused URL is asked for again.
    async fn download(&self, id: &str) -> Result<tempfile::NamedTempFile, SyncError> {
        let url_of = self.url(&format!("/tasks/{id}/download_url"));
        let tries = self.options.url_renewals + 1;
        let mut refused = String::new();
        for _ in 0..tries {
            let link: DownloadUrl = self.http.json(|c| c.get(&url_of).header(AUTHORIZATION, &self.bearer.0)).await?;
            if url::Url::parse(&link.url).is_err() {
                return Err(SyncError::Protocol { provider: P, detail: format!("export task {id} has an unreadable download URL") });
            }
            // A pre-signed URL: no Authorization header, the token must not leave for the file host.
            match self.whole_file(id, &link.url).await {
                Ok(body) => return Ok(body),
                Err(SyncError::Auth { detail, .. }) => {
                    tracing::info!(task = %id, %detail, "Spaaza download URL refused; asking for a new one");
                    refused = detail;
                }
                Err(e) => return Err(e),
            }
        }
        Err(SyncError::Unavailable { provider: P, attempts: tries, detail: format!("the download link of export task {id} was refused every time ({refused})") })
    }
}

impl ExportFlow<'_> {
    /// Download the file into a temporary file, and make sure it is whole.
    /// A CSV file ends with a line break after its last record; one that
    /// stops mid-line was cut off on the way (an answer without a length can
    /// look complete), so it is fetched again. The same bytes twice, ending
    /// in a record with all the header's fields, are the file as Spaaza
    /// wrote it.
    async fn whole_file(&self, id: &str, url: &str) -> Result<tempfile::NamedTempFile, SyncError> {
        let kept = |source| SyncError::TempFile { provider: P, source };
        let mut previous: Option<(u64, u64)> = None;
        for _ in 0..CUT_OFF_DOWNLOADS {
            let mut file = tempfile::NamedTempFile::new().map_err(kept)?;
            self.http.download(|c| c.get(url), file.as_file_mut()).await?;
            let shape = FileShape::of(file.as_file_mut()).map_err(kept)?;
            let same_twice = previous == Some((shape.len, shape.hash));
            if !shape.ends_mid_line() || (same_twice && shape.last_record_is_whole(file.as_file_mut()).map_err(kept)?) {
                return Ok(file);
            }
            tracing::warn!(task = %id, bytes = shape.len, "Spaaza export file ends mid-line; downloading it again");
            previous = Some((shape.len, shape.hash));
        }
        Err(SyncError::Unavailable {
            provider: P,
            attempts: CUT_OFF_DOWNLOADS,
            detail: format!("the file of export task {id} arrived cut off each time; try the sync again later"),
        })
    }
}

/// Downloads of one file before a cut-off file is reported.
const CUT_OFF_DOWNLOADS: u32 = 4;

/// The longest header or last line read to count its fields.
const LINE_LIMIT: u64 = 1 << 20;

/// What the cut-off check needs of a downloaded file, read in one pass.
struct FileShape {
    len: u64,
    /// A hash of the bytes, to tell the same file downloaded twice.
    hash: u64,
    /// Starts like JSON (a cut-off JSON file fails to parse instead, and is reported then).
    json: bool,
    ends_with_newline: bool,
    /// The bytes of the first line.
    header: Vec<u8>,
    /// Where the last line starts.
    last_line: u64,
}

impl FileShape {
    fn of(file: &mut std::fs::File) -> std::io::Result<FileShape> {
        use std::hash::Hasher;
        use std::io::{Read, Seek};
        file.rewind()?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let mut block = vec![0u8; 256 * 1024];
        let (mut len, mut last_line, mut header_done, mut last) = (0u64, 0u64, false, None);
        let (mut header, mut first) = (Vec::new(), None);
        loop {
            let n = file.read(&mut block)?;
            if n == 0 {
                break;
            }
            let bytes = &block[..n];
            hasher.write(bytes);
            first = first.or_else(|| bytes.iter().copied().find(|b| !b.is_ascii_whitespace()));
            if !header_done {
                let end = bytes.iter().position(|b| *b == b'\n');
                header.extend_from_slice(&bytes[..end.unwrap_or(n)]);
                header_done = end.is_some() || header.len() as u64 >= LINE_LIMIT;
            }
            if let Some(i) = bytes.iter().rposition(|b| *b == b'\n') {
                last_line = len + i as u64 + 1;
            }
            last = bytes.last().copied();
            len += n as u64;
        }
        let json = matches!(first, Some(b'[' | b'{'));
        Ok(FileShape { len, hash: hasher.finish(), json, ends_with_newline: last == Some(b'\n'), header, last_line })
    }

    /// Whether a CSV file stops in the middle of a line.
    fn ends_mid_line(&self) -> bool {
        !self.json && self.len > 0 && !self.ends_with_newline
    }

    /// Whether the file's last line has as many fields as its header line.
    fn last_record_is_whole(&self, file: &mut std::fs::File) -> std::io::Result<bool> {
        use std::io::{Read, Seek, SeekFrom};
        if self.len - self.last_line > LINE_LIMIT {
            return Ok(false);
        }
        let mut last = Vec::new();
        file.seek(SeekFrom::Start(self.last_line))?;
        file.take(LINE_LIMIT).read_to_end(&mut last)?;
        let header = fields(&self.header);
        Ok(header.is_some() && header == fields(&last))
    }
}

/// The number of CSV fields on one line.
fn fields(line: &[u8]) -> Option<usize> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line);
    reader.byte_records().next().and_then(Result::ok).map(|r| r.len())
}

/// Polling defaults derived from the retry policy's delays. The document
/// sets no poll interval and offers no hint (no Retry-After, no estimate),
/// so the first wait is the policy's base delay (250 ms), doubling up to its
/// maximum: a small incremental export is seen DONE within a second, and a
/// half-hour export costs only a few polls more.
pub fn poll_delays(base: Duration, max: Duration) -> (Duration, Duration) {
    (base.max(Duration::from_millis(20)), max.max(Duration::from_millis(50)))
}
