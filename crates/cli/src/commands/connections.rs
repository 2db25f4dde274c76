//! `walletbook connections add|list|remove|fields|test`.
//!
//! `add` takes non-secret fields as `--set key=value` and secret fields as
//! `--secret key=value`, or `--secret key=@ENV_VAR` to read one from the
//! environment; secrets go to the OS keychain, never to the cache.

use clap::Subcommand;
use walletbook_core::connections::{self, ConnectionInput};
use walletbook_core::model::Provider;

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
            let input = ConnectionInput {
                name,
                provider: provider.parse()?,
                base_url: base_url.unwrap_or_default(),
                settings: parse_pairs(&settings, false)?.into_iter().collect(),
                secrets: parse_pairs(&secrets, true)?.into_iter().collect(),
            };
            let conn = connections::add(&ctx.cache().await?, &ctx.credentials, &input).await?;
            println!("Added {} connection '{}' ({}).", conn.provider, conn.name, conn.base_url);
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
            connections::remove(&ctx.cache().await?, &ctx.credentials, &name).await?;
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
