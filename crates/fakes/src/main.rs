//! `walletbook-fakes [--port N] [--seed S] [--transactions N]
//! [--exlr8-large N] [--spaaza-large N] [--anchor now|RFC3339] [--tie FIRST:LEN ...] [--latency-ms N]`: serves all five fake providers
//! on 127.0.0.1, prints one JSON line with each provider's base URL and
//! credentials and the ground truth per wallet (see `truth`), and runs until
//! killed.

use walletbook_fakes::json::Obj;
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};

const USAGE: &str =
    "usage: walletbook-fakes [--port N] [--seed S] [--transactions N] [--exlr8-large N] [--spaaza-large N] [--anchor now|RFC3339] [--tie FIRST:LEN ...] [--latency-ms N]";

fn parse_args(args: &[String]) -> Result<FakeConfig, String> {
    let mut cfg = FakeConfig::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |_| format!("invalid value for {flag}: {value}\n{USAGE}");
        match flag.as_str() {
            "--port" => cfg.port = value.parse().map_err(bad)?,
            "--seed" => cfg.seed = value.parse().map_err(bad)?,
            "--transactions" => cfg.transactions_per_wallet = value.parse().map_err(bad)?,
            "--latency-ms" => cfg.latency = std::time::Duration::from_millis(value.parse().map_err(bad)?),
            "--exlr8-large" => cfg.exlr8_large = Some(value.parse().map_err(bad)?),
            "--spaaza-large" => cfg.spaaza_large = Some(value.parse().map_err(bad)?),
            "--anchor" if value == "now" => cfg.anchor = chrono::Utc::now(),
            "--anchor" => {
                cfg.anchor = chrono::DateTime::parse_from_rfc3339(value)
                    .map_err(|_| format!("invalid value for --anchor: {value}\n{USAGE}"))?
                    .with_timezone(&chrono::Utc)
            }
            "--tie" => {
                let tie = value.split_once(':').and_then(|(first, len)| Some(walletbook_fakes::Tie::new(first.parse().ok()?, len.parse().ok()?)));
                cfg.ties.push(tie.ok_or_else(|| format!("invalid value for --tie: {value} (give FIRST:LEN)\n{USAGE}"))?);
            }
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    Ok(cfg)
}

/// The JSON line: `{"root", "seed", "providers": {name: {base_url, ...credentials}},
/// "expected": {name: {wallet_id: ground truth}}}`.
fn describe(h: &FakeHandle, seed: u64) -> String {
    let c = h.credentials();
    let fields: [(FakeProvider, Vec<(&str, &str)>); 5] = [
        (FakeProvider::Spaaza, vec![("token_id", &c.spaaza_token_id), ("token_secret", &c.spaaza_token_secret)]),
        (FakeProvider::Flexprice, vec![("api_key", &c.flexprice_api_key)]),
        (FakeProvider::Papaya, vec![("api_key", &c.papaya_api_key), ("client_secret", &c.papaya_client_secret)]),
        (FakeProvider::Exlr8, vec![("client_id", &c.exlr8_client_id), ("client_secret", &c.exlr8_client_secret)]),
        (FakeProvider::Baanx, vec![("client_key", &c.baanx_client_key), ("access_token", &c.baanx_access_token)]),
    ];
    let mut providers = Obj::new();
    for (p, creds) in fields {
        let mut o = Obj::new().str("base_url", &h.base_url(p));
        for (k, v) in creds {
            o = o.str(k, v);
        }
        if p == FakeProvider::Spaaza {
            o = o.int("chain_id", c.spaaza_chain_id as i64);
        }
        providers = providers.raw(p.name(), &o.finish());
    }
    Obj::new().str("root", &h.root_url()).int("seed", seed as i64).raw("providers", &providers.finish())
        .raw("expected", &walletbook_fakes::truth::ground_truth(h))
        .finish()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse_args(&args) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let seed = cfg.seed;
    let handle = match FakeServer::try_start(cfg).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("walletbook-fakes: cannot listen: {e}");
            std::process::exit(1);
        }
    };
    println!("{}", describe(&handle, seed));
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
}
