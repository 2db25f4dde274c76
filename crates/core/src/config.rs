//! The connections file (`walletbook --config FILE`): connections declared in
//! TOML for scheduled jobs, with secrets taken from environment variables.
//!
//! ```toml
//! concurrency = 4                      # optional: connections synced at once (1-32)
//!
//! [[connection]]
//! name = "flexprice-main"
//! provider = "flexprice"               # spaaza | flexprice | papaya | exlr8 | baanx
//! base_url = "https://api.cloud.flexprice.io/v1"   # optional: the documented default
//! settings = { wallets = "" }          # non-secret fields (see `walletbook connections fields`)
//!                                      # and overrides of the provider's documented limits:
//!                                      # page_size, pages_in_flight (see `crate::limits`)
//! secret_env = { api_key = "FLEXPRICE_API_KEY" }   # secret field -> environment variable
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::connections::check_fields;
use crate::error::{Error, Result};
use crate::model::{Provider, Secrets, Settings};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    connection: Vec<RawConnection>,
    concurrency: Option<toml::Spanned<i64>>,
}

/// The most connections the file may ask to sync at once.
pub const MAX_CONCURRENCY: usize = 32;

/// File-wide options of a connections file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileOptions {
    /// Connections synced at once (None: the engine's default).
    pub concurrency: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConnection {
    name: String,
    provider: toml::Spanned<String>,
    base_url: Option<String>,
    #[serde(default)]
    settings: Settings,
    #[serde(default)]
    secret_env: HashMap<String, String>,
}

/// One connection declared in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredConnection {
    pub name: String,
    pub provider: Provider,
    pub base_url: String,
    pub settings: Settings,
    /// Secret field key -> environment variable holding it.
    pub secret_env: HashMap<String, String>,
}

/// Read and check a connections file. Errors name the file and the line.
pub fn load(path: &Path) -> Result<Vec<DeclaredConnection>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigFile { path: path.to_path_buf(), source })?;
    parse(&text, &path.display().to_string())
}

/// Read a connections file's file-wide options. Errors name the file and the line.
pub fn load_options(path: &Path) -> Result<FileOptions> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigFile { path: path.to_path_buf(), source })?;
    parse_options(&text, &path.display().to_string())
}

/// File-wide options from TOML text; `origin` names the file in errors.
pub fn parse_options(text: &str, origin: &str) -> Result<FileOptions> {
    let Some(n) = read(text, origin)?.concurrency else {
        return Ok(FileOptions::default());
    };
    match usize::try_from(*n.get_ref()) {
        Ok(c) if (1..=MAX_CONCURRENCY).contains(&c) => Ok(FileOptions { concurrency: Some(c) }),
        _ => Err(Error::Config(format!("{origin} at line {}: concurrency must be a whole number from 1 to {MAX_CONCURRENCY}", line_of(text, n.span().start)))),
    }
}

fn read(text: &str, origin: &str) -> Result<RawFile> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).map(|l| format!(" at line {l}")).unwrap_or_default();
        Error::Config(format!("{origin}{line}: {}", e.message()))
    })
}

/// Parse connections from TOML text; `origin` names the file in errors.
pub fn parse(text: &str, origin: &str) -> Result<Vec<DeclaredConnection>> {
    let raw = read(text, origin)?;
    let mut out = Vec::new();
    for c in raw.connection {
        let provider: Provider = c.provider.get_ref().parse().map_err(|e: Error| Error::Config(format!("{origin} at line {}: {e}", line_of(text, c.provider.span().start))))?;
        // The same field rules as connections added by hand; the secrets are
        // checked by the variables that will hold them.
        let secret_fields: Secrets = c.secret_env.iter().map(|(k, var)| (k.clone(), var.clone())).collect();
        check_fields(provider, &c.settings, &secret_fields).map_err(|e| Error::Config(format!("{origin}: connection '{}': {e}", c.name)))?;
        if out.iter().any(|d: &DeclaredConnection| d.name == c.name) {
            return Err(Error::Config(format!("{origin}: connection '{}' is declared twice", c.name)));
        }
        out.push(DeclaredConnection {
            name: c.name,
            provider,
            base_url: c.base_url.unwrap_or_else(|| provider.default_base_url().to_string()),
            settings: c.settings,
            secret_env: c.secret_env,
        });
    }
    Ok(out)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_defaults_base_url() {
        let c = parse("[[connection]]\nname = \"a\"\nprovider = \"Papaya Global\"\nsecret_env = { api_key = \"K\", client_secret = \"S\" }\n", "x.toml").unwrap();
        assert_eq!(c[0].provider, Provider::Papaya);
        assert_eq!(c[0].base_url, Provider::Papaya.default_base_url());
    }

    #[test]
    fn declared_fields_get_the_checks_of_added_connections() {
        let unknown = parse("[[connection]]\nname = \"f\"\nprovider = \"flexprice\"\nsettings = { colour = \"blue\" }\nsecret_env = { api_key = \"K\" }\n", "x.toml").unwrap_err().to_string();
        assert!(unknown.contains("x.toml") && unknown.contains("'f'") && unknown.contains("'colour'"), "{unknown}");
        let no_secret = parse("[[connection]]\nname = \"f\"\nprovider = \"flexprice\"\n", "x.toml").unwrap_err().to_string();
        assert!(no_secret.contains("api_key"), "{no_secret}");
        let not_secret = parse("[[connection]]\nname = \"e\"\nprovider = \"exlr8\"\nsettings = { client_id = \"d\" }\nsecret_env = { client_id = \"K\", client_secret = \"S\" }\n", "x.toml").unwrap_err().to_string();
        assert!(not_secret.contains("no secret field 'client_id'"), "{not_secret}");
    }

    #[test]
    fn limits_can_be_overridden_within_the_documented_ones() {
        let file = |settings: &str| format!("[[connection]]\nname = \"p\"\nprovider = \"papaya\"\nsettings = {{ {settings} }}\nsecret_env = {{ api_key = \"K\", client_secret = \"S\" }}\n");
        let ok = parse(&file("page_size = \"50\", pages_in_flight = \"8\""), "x.toml").unwrap();
        assert_eq!(crate::limits::resolve(ok[0].provider, &ok[0].settings).unwrap(), crate::limits::Limits { page_size: 50, pages_in_flight: 8 });
        let above = parse(&file("page_size = \"500\""), "x.toml").unwrap_err().to_string();
        assert!(above.contains("x.toml") && above.contains("'p'") && above.contains("page_size 500 is above the documented maximum of 100"), "{above}");
        let bad = parse(&file("pages_in_flight = \"lots\""), "x.toml").unwrap_err().to_string();
        assert!(bad.contains("pages_in_flight 'lots' is not a whole number from 1 to 16"), "{bad}");
    }

    #[test]
    fn unknown_provider_names_the_line() {
        let err = parse("[[connection]]\nname = \"a\"\nprovider = \"paypal\"\n", "x.toml").unwrap_err().to_string();
        assert!(err.contains("x.toml at line 3") && err.contains("paypal"), "{err}");
    }

    #[test]
    fn unreadable_file_keeps_the_io_error() {
        use std::error::Error as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let err = load(&dir.path().join("missing.toml")).expect_err("no file");
        assert!(err.to_string().contains("missing.toml"), "{err}");
        let source = err.source().and_then(|s| s.downcast_ref::<std::io::Error>()).expect("the I/O error is the source");
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(err.code(), crate::ErrorCode::Config);
    }

    #[test]
    fn concurrency_is_optional_and_checked() {
        let file = "concurrency = 2\n[[connection]]\nname = \"a\"\nprovider = \"flexprice\"\nsecret_env = { api_key = \"K\" }\n";
        assert_eq!(parse_options(file, "x.toml").unwrap().concurrency, Some(2));
        assert_eq!(parse(file, "x.toml").unwrap().len(), 1);
        assert_eq!(parse_options("", "x.toml").unwrap(), FileOptions::default());
        let zero = parse_options("\nconcurrency = 0\n", "x.toml").unwrap_err().to_string();
        assert!(zero.contains("x.toml at line 2") && zero.contains("from 1 to 32"), "{zero}");
        assert!(parse_options("concurrency = \"many\"\n", "x.toml").is_err());
    }

    #[test]
    fn malformed_file_names_the_line() {
        let err = parse("[[connection]]\nname = \"a\"\nprovider = \n", "x.toml").unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
    }
}
