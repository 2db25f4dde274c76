//! `walletbook connections add|list|remove|fields|test`.
//!
//! `add` takes non-secret fields as `--set key=value` and secret fields as
//! `--secret key=value`, or `--secret key=@ENV_VAR` to read one from the
//! environment; secrets go to the OS keychain, never to the cache.

use clap::Subcommand;
use walletbook_core::model::{Provider, Secrets, Settings};

use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(Subcommand)]
pub enum ConnectionsCommand {
    /// Add a connection; secrets are stored in the OS keychain.
    Add {
        name: String,
        /// spaaza, flexprice, papaya, exlr8 or baanx.
        #[arg(long)]
        provider: String,
        /// Defaults to the provider's documented base URL.
        #[arg(long)]
        base_url: Option<String>,
        /// A non-secret field, `key=value` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        settings: Vec<String>,
        /// A secret field, `key=value` or `key=@ENV_VAR` (repeatable).
        #[arg(long = "secret", value_name = "KEY=VALUE")]
        secrets: Vec<String>,
    },
    /// List connections (never their secrets).
    List,
    /// Remove a connection, its cached history and its keychain entry.
    Remove { name: String },
    /// Show the fields a provider's connection needs.
    Fields { provider: String },
    /// Check a connection's credentials with one cheap call.
    Test { name: String },
}

pub async fn run(ctx: &Context, cmd: ConnectionsCommand) -> CliResult {
    match cmd {
        ConnectionsCommand::Add { name, provider, base_url, settings, secrets } => {
            let provider: Provider = provider.parse()?;
            let settings: Settings = parse_pairs(&settings, false)?.into_iter().collect();
            let secrets: Secrets = parse_pairs(&secrets, true)?.into_iter().collect();
            check_fields(provider, &settings, &secrets)?;
            let cache = ctx.cache().await?;
            let base = base_url.unwrap_or_else(|| provider.default_base_url().to_string());
            let conn = cache.add_connection(&name, provider, &base, &settings).await?;
            if let Err(e) = ctx.credentials.save(&conn.name, &secrets).await {
                cache.remove_connection(&conn.name).await?;
                return Err(e.into());
            }
            println!("Added {} connection '{}' ({}).", provider, conn.name, conn.base_url);
            Ok(())
        }
        ConnectionsCommand::List => {
            let cache = ctx.cache().await?;
            let list = cache.list_connections().await?;
            if list.is_empty() {
                println!("No connections yet. Add one with `walletbook connections add NAME --provider PROVIDER ...`, or try `walletbook demo`.");
            }
            for c in list {
                let settings: Vec<String> = c.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
                println!("{:<24} {:<14} {:<44} {}", c.name, c.provider.display_name(), c.base_url, settings.join(" "));
            }
            Ok(())
        }
        ConnectionsCommand::Remove { name } => {
            let cache = ctx.cache().await?;
            cache.remove_connection(&name).await?;
            ctx.credentials.delete(&name).await?;
            println!("Removed connection '{name}' and its cached history.");
            Ok(())
        }
        ConnectionsCommand::Fields { provider } => {
            let provider: Provider = provider.parse()?;
            println!("{} (default base URL {}):", provider, provider.default_base_url());
            for f in provider.fields() {
                let kind = if f.secret { "--secret" } else { "--set" };
                let req = if f.required { "required" } else { "optional" };
                println!("  {kind} {}=...   {} ({req})", f.key, f.label);
            }
            println!("  --set wallets=ID1,ID2   only sync these wallets (optional)");
            Ok(())
        }
        ConnectionsCommand::Test { name } => crate::commands::sync::test_connection(ctx, &name).await,
    }
}

fn parse_pairs(pairs: &[String], allow_env: bool) -> CliResult<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|p| {
            let (k, v) = p.split_once('=').ok_or_else(|| CliError::Usage(format!("'{p}' is not KEY=VALUE")))?;
            let v = match v.strip_prefix('@') {
                Some(var) if allow_env => std::env::var(var).map_err(|_| CliError::Usage(format!("environment variable {var} (for {k}) is not set")))?,
                _ => v.to_string(),
            };
            Ok((k.trim().to_string(), v))
        })
        .collect()
}

fn check_fields(provider: Provider, settings: &Settings, secrets: &Secrets) -> CliResult {
    let fields = provider.fields();
    for f in &fields {
        let present = if f.secret { secrets.contains_key(&f.key) } else { settings.contains_key(&f.key) };
        if f.required && !present {
            let flag = if f.secret { "--secret" } else { "--set" };
            return Err(CliError::Usage(format!("{provider} needs {} ({flag} {}=...): see `walletbook connections fields {}`", f.label, f.key, provider.as_str())));
        }
    }
    for k in secrets.keys() {
        if !fields.iter().any(|f| f.secret && &f.key == k) {
            return Err(CliError::Usage(format!("{provider} has no secret field '{k}': see `walletbook connections fields {}`", provider.as_str())));
        }
    }
    for k in settings.keys() {
        if k != "wallets" && !fields.iter().any(|f| !f.secret && &f.key == k) {
            return Err(CliError::Usage(format!("{provider} has no setting '{k}': see `walletbook connections fields {}`", provider.as_str())));
        }
    }
    Ok(())
}
