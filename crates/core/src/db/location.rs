//! Where a cache lives, read from `--db`, `WALLETBOOK_DB` or the app's
//! settings. A plain path or an `sqlite:` URL names an SQLite file. A URL of
//! any other scheme is never taken as a path: before this module,
//! `--db postgres://host/db` quietly created a folder named `postgres:` and
//! an SQLite file inside it.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What a cache location names: an SQLite file or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheLocation {
    File(PathBuf),
    Server(ServerUrl),
}

/// A `postgres://` URL, with the form shown to people (password hidden).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerUrl {
    url: String,
    shown: String,
}

impl ServerUrl {
    /// The full URL, password included: only for connecting.
    pub fn secret_url(&self) -> &str {
        &self.url
    }

    /// The URL with any password replaced by `***`: for messages and keys.
    pub fn shown(&self) -> &str {
        &self.shown
    }
}

impl std::fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Read a cache location. Nothing is created or written here.
pub fn parse(location: &Path) -> Result<CacheLocation> {
    let Some(text) = location.to_str() else {
        return Ok(CacheLocation::File(location.to_path_buf()));
    };
    match url_scheme(text) {
        Some(scheme) if scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql") => {
            Ok(CacheLocation::Server(ServerUrl { url: text.to_string(), shown: redact_password(text) }))
        }
        _ => sqlite_file(location).map(CacheLocation::File),
    }
}

/// The SQLite file a cache location names, or the one-sentence reason it
/// names none. Nothing is created or written here.
pub fn sqlite_file(location: &Path) -> Result<PathBuf> {
    let Some(text) = location.to_str() else {
        return Ok(location.to_path_buf());
    };
    if let Some(rest) = text.strip_prefix("sqlite://").or_else(|| text.strip_prefix("sqlite:")) {
        let file = rest.split('?').next().unwrap_or_default();
        if file.is_empty() {
            return Err(Error::invalid(format!("The cache location '{text}' names no file: give a path such as sqlite:///home/me/walletbook.sqlite")));
        }
        return Ok(PathBuf::from(file));
    }
    match url_scheme(text) {
        None => Ok(location.to_path_buf()),
        Some(scheme) if scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql") => Err(Error::invalid(format!(
            "The cache location {} is a PostgreSQL server, not a file: open it as a shared cache",
            redact_password(text)
        ))),
        Some(scheme) => Err(Error::invalid(format!(
            "The cache location {} is a '{scheme}' address, not a cache: give a file path, an sqlite: URL or a postgres:// URL",
            redact_password(text)
        ))),
    }
}

/// `scheme` of `scheme://…` (RFC 3986 scheme characters), if the text is a URL.
fn url_scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (starts_with_letter && rest_ok && scheme.len() > 1).then_some(scheme)
}

/// The URL with any password replaced by `***`, for error text.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            let hidden = if user_info.contains(':') { format!("{user}:***") } else { user.to_string() };
            format!("{scheme}://{hidden}@{host}{path}")
        }
        None => url.to_string(),
    }
}

/// A shared cache's URL split into what may be remembered (the URL without
/// its password) and the password, which belongs in the OS keychain.
pub fn split_password(url: &str) -> Result<(String, Option<String>)> {
    let mut parsed = parse_server_url(url)?;
    let password = parsed.password().map(percent_decode);
    if password.is_some() {
        let _ = parsed.set_password(None);
    }
    Ok((parsed.to_string(), password))
}

/// The URL with `password` put back in (for connecting only).
pub fn with_password(url: &str, password: &str) -> Result<String> {
    let mut parsed = parse_server_url(url)?;
    if parsed.set_password(Some(password)).is_err() {
        return Err(Error::invalid(format!("The shared cache address {} cannot hold a password: write it as postgres://user@host/database", redact_password(url))));
    }
    Ok(parsed.to_string())
}

fn parse_server_url(url: &str) -> Result<url::Url> {
    let parsed = url::Url::parse(url).map_err(|e| Error::invalid(format!("The shared cache address {} is not a URL ({e}): write it as postgres://user@host:5432/database", redact_password(url))))?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err(Error::invalid(format!("The shared cache address {} is not a PostgreSQL URL: write it as postgres://user@host:5432/database", redact_password(url))));
    }
    Ok(parsed)
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_sqlite_urls_name_files() {
        assert_eq!(sqlite_file(Path::new("/tmp/a.sqlite")).unwrap(), PathBuf::from("/tmp/a.sqlite"));
        assert_eq!(sqlite_file(Path::new("relative/b.sqlite")).unwrap(), PathBuf::from("relative/b.sqlite"));
        assert_eq!(sqlite_file(Path::new("sqlite:///tmp/c.sqlite")).unwrap(), PathBuf::from("/tmp/c.sqlite"));
        assert_eq!(sqlite_file(Path::new("sqlite:d.sqlite?mode=rwc")).unwrap(), PathBuf::from("d.sqlite"));
        // A Windows drive path is not a URL.
        assert_eq!(sqlite_file(Path::new("C:\\cache\\e.sqlite")).unwrap(), PathBuf::from("C:\\cache\\e.sqlite"));
    }

    #[test]
    fn a_password_is_split_off_and_put_back() {
        let (url, password) = split_password("postgres://ann:s%40cret+1@db.example:5432/books?sslmode=require").unwrap();
        assert_eq!(url, "postgres://ann@db.example:5432/books?sslmode=require");
        assert_eq!(password.as_deref(), Some("s@cret+1"));
        let back = with_password(&url, "s@cret+1").unwrap();
        assert_eq!(split_password(&back).unwrap(), (url.clone(), Some("s@cret+1".to_string())));
        assert_eq!(split_password("postgres://ann@db/books").unwrap().1, None);
        assert!(split_password("https://db/books").is_err());
        // No user name: libpq's default user (the OS user) goes with the password.
        assert_eq!(with_password("postgres://db/books", "x").unwrap(), "postgres://:x@db/books");
    }

    #[test]
    fn a_server_url_is_never_a_path_and_its_password_is_never_shown() {
        let err = sqlite_file(Path::new("postgres://ann:s3cret@db.example:5432/books")).unwrap_err().to_string();
        assert!(err.contains("postgres://ann:***@db.example:5432/books"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        let err = sqlite_file(Path::new("postgresql://db.example/books")).unwrap_err().to_string();
        assert!(err.contains("PostgreSQL"), "{err}");
        match parse(Path::new("postgres://ann:s3cret@db.example/books")).unwrap() {
            CacheLocation::Server(url) => {
                assert_eq!(url.shown(), "postgres://ann:***@db.example/books");
                assert!(!format!("{url:?}").contains("s3cret"));
            }
            other => panic!("a server URL became {other:?}"),
        }
        assert_eq!(parse(Path::new("books.sqlite")).unwrap(), CacheLocation::File(PathBuf::from("books.sqlite")));
        let err = sqlite_file(Path::new("https://example.com/cache")).unwrap_err().to_string();
        assert!(err.contains("'https' address"), "{err}");
        assert!(sqlite_file(Path::new("sqlite://")).is_err());
    }
}
