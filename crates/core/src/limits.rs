//! Each provider's documented paging limits, in one place, and a
//! connection's overrides of them (the `page_size` and `pages_in_flight`
//! settings, e.g. from the connections file).
//!
//! Terms:
//! - *page size*: records asked for per request. Each provider documents a
//!   maximum (Papaya's is unknown: 100 is the largest known to be honoured,
//!   and asking for more than a provider sends would end a walk early, since
//!   a short page means the end); Baanx's is fixed at 10.
//! - *pages in flight*: pages of one wallet fetched at once on a first sync,
//!   where pages are random access (Papaya's skip, Baanx's page number).
//!   Every request still passes the host's shared limiter, which allows
//!   [`MAX_PAGES_IN_FLIGHT`] at once. No provider documents a rate limit; a
//!   429 with `Retry-After` is honoured for the whole host.

use crate::model::{Provider, Settings};

/// The most pages of one wallet in flight at once (the host limiter's cap).
pub const MAX_PAGES_IN_FLIGHT: usize = 16;
/// Pages in flight unless a connection says otherwise.
pub const DEFAULT_PAGES_IN_FLIGHT: usize = 4;
/// The settings that override documented limits.
pub const LIMIT_SETTINGS: [&str; 2] = ["page_size", "pages_in_flight"];

/// A provider's documented page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSize {
    /// The provider pages a file, not records (Spaaza's export).
    None,
    /// Set by the provider; a client cannot ask for another.
    Fixed(usize),
    /// `default` unless a connection asks for 1 to `max`.
    Choice { default: usize, max: usize },
}

/// What a provider documents about paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderLimits {
    pub page_size: PageSize,
    /// Whether pages can be fetched ahead (random access and a stable order).
    pub fetch_ahead: bool,
}

/// The limits one connection uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// 0 when the provider has no pages.
    pub page_size: usize,
    pub pages_in_flight: usize,
}

impl Provider {
    /// The provider's documented limits (see `/work/shared/providers`).
    pub fn limits(self) -> ProviderLimits {
        let (page_size, fetch_ahead) = match self {
            Provider::Spaaza => (PageSize::None, false),
            // `limit`: 1 <= x <= 1000.
            Provider::Flexprice => (PageSize::Choice { default: 1000, max: 1000 }, false),
            // `take`: maximum unknown; 100 is honoured.
            Provider::Papaya => (PageSize::Choice { default: 100, max: 100 }, true),
            // `limit`: default 15, max 100.
            Provider::Exlr8 => (PageSize::Choice { default: 100, max: 100 }, false),
            // Up to 10 per page, fixed.
            Provider::Baanx => (PageSize::Fixed(10), true),
        };
        ProviderLimits { page_size, fetch_ahead }
    }
}

/// A whole number from `min` to `max`, or a sentence saying what is wrong.
fn number(provider: Provider, key: &str, value: &str, max: usize, why_max: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if n > max => Err(format!("{key} {n} is above {why_max} of {max} for {provider}; use a whole number from 1 to {max}")),
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{key} '{value}' is not a whole number from 1 to {max}; correct or remove it")),
    }
}

/// Check one override; the error is one sentence naming the setting.
pub fn check_setting(provider: Provider, key: &str, value: &str) -> Result<usize, String> {
    let limits = provider.limits();
    match (key, limits.page_size) {
        ("page_size", PageSize::None) => Err(format!("{provider} exports a file and has no pages, so page_size does not apply; remove it")),
        ("page_size", PageSize::Fixed(n)) => match value.trim().parse::<usize>() {
            Ok(v) if v == n => Ok(n),
            _ => Err(format!("{provider} sends {n} records per page and cannot be asked for another page size; remove page_size")),
        },
        ("page_size", PageSize::Choice { max, .. }) => number(provider, key, value, max, "the documented maximum"),
        ("pages_in_flight", _) if !limits.fetch_ahead => {
            Err(format!("{provider} pages can only be fetched one after another, so pages_in_flight does not apply; remove it"))
        }
        ("pages_in_flight", _) => number(provider, key, value, MAX_PAGES_IN_FLIGHT, "the per-host limit"),
        _ => Err(format!("{key} is not a limit Walletbook knows; remove it")),
    }
}

/// The limits a connection uses: the documented defaults, overridden by its
/// settings. An error is one sentence naming the setting.
pub fn resolve(provider: Provider, settings: &Settings) -> Result<Limits, String> {
    let limits = provider.limits();
    let set = |key: &str| settings.get(key).filter(|v| !v.trim().is_empty());
    let page_size = match (set("page_size"), limits.page_size) {
        (Some(v), _) => check_setting(provider, "page_size", v)?,
        (None, PageSize::None) => 0,
        (None, PageSize::Fixed(n) | PageSize::Choice { default: n, .. }) => n,
    };
    let pages_in_flight = match set("pages_in_flight") {
        Some(v) => check_setting(provider, "pages_in_flight", v)?,
        None if limits.fetch_ahead => DEFAULT_PAGES_IN_FLIGHT,
        None => 1,
    };
    Ok(Limits { page_size, pages_in_flight })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_are_the_documented_limits() {
        assert_eq!(resolve(Provider::Papaya, &Settings::new()), Ok(Limits { page_size: 100, pages_in_flight: 4 }));
        assert_eq!(resolve(Provider::Baanx, &Settings::new()), Ok(Limits { page_size: 10, pages_in_flight: 4 }));
        assert_eq!(resolve(Provider::Flexprice, &Settings::new()), Ok(Limits { page_size: 1000, pages_in_flight: 1 }));
        assert_eq!(resolve(Provider::Spaaza, &Settings::new()), Ok(Limits { page_size: 0, pages_in_flight: 1 }));
    }

    #[test]
    fn overrides_apply_within_the_documented_range() {
        let s = settings(&[("page_size", "25"), ("pages_in_flight", "8")]);
        assert_eq!(resolve(Provider::Papaya, &s), Ok(Limits { page_size: 25, pages_in_flight: 8 }));
        let above = resolve(Provider::Papaya, &settings(&[("page_size", "500")])).unwrap_err();
        assert_eq!(above, "page_size 500 is above the documented maximum of 100 for Papaya Global; use a whole number from 1 to 100");
        let flex = resolve(Provider::Flexprice, &settings(&[("page_size", "1001")])).unwrap_err();
        assert!(flex.contains("maximum of 1000"), "{flex}");
        let zero = resolve(Provider::Baanx, &settings(&[("pages_in_flight", "0")])).unwrap_err();
        assert!(zero.contains("not a whole number from 1 to 16"), "{zero}");
        let many = resolve(Provider::Baanx, &settings(&[("pages_in_flight", "17")])).unwrap_err();
        assert!(many.contains("per-host limit of 16"), "{many}");
    }

    #[test]
    fn limits_a_provider_does_not_have_are_refused() {
        assert!(resolve(Provider::Baanx, &settings(&[("page_size", "20")])).unwrap_err().contains("10 records per page"));
        assert!(resolve(Provider::Baanx, &settings(&[("page_size", "10")])).is_ok());
        assert!(resolve(Provider::Spaaza, &settings(&[("page_size", "10")])).unwrap_err().contains("no pages"));
        assert!(resolve(Provider::Exlr8, &settings(&[("pages_in_flight", "2")])).unwrap_err().contains("one after another"));
    }
}
