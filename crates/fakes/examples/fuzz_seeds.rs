//! Seeds for the fuzz corpora: real answers of every fake provider, written
//! as files. `cargo run -p walletbook-fakes --example fuzz_seeds -- DIR`
//! writes `DIR/<target>/<name>` (see `scripts/fuzz.sh`, which calls it).
//!
//! Each file is one body as a connector receives it: a page of
//! transactions, a wallet list, a task state, an export file.

use std::path::{Path, PathBuf};

use reqwest::{Client, Method};
use walletbook_fakes::{FakeConfig, FakeHandle, FakeProvider, FakeServer};

type Failed = Box<dyn std::error::Error>;

struct Seeds {
    dir: PathBuf,
    client: Client,
    h: FakeHandle,
}

impl Seeds {
    async fn call(&self, method: Method, url: &str, headers: &[(&str, &str)], body: &str) -> Result<String, Failed> {
        let mut r = self.client.request(method, url).header("content-type", "application/json").body(body.to_string());
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        let resp = r.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            return Err(format!("{url} answered {status}: {text}").into());
        }
        Ok(text)
    }

    fn write(&self, target: &str, name: &str, body: &str) -> Result<(), Failed> {
        let dir = self.dir.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(name), body)?;
        Ok(())
    }

    fn first_id(text: &str, key: Option<&str>) -> Result<String, Failed> {
        let v: serde_json::Value = serde_json::from_str(text)?;
        let list = match key {
            Some(k) => &v[k],
            None => &v,
        };
        list[0]["id"].as_str().or_else(|| list[0]["walletID"].as_str()).map(str::to_string).ok_or_else(|| format!("no wallet id in {text}").into())
    }

    async fn exlr8(&self) -> Result<(), Failed> {
        let c = self.h.credentials();
        let root = format!("{}/v1/delivery-partners/{}/wallet", self.h.base_url(FakeProvider::Exlr8), c.exlr8_client_id);
        let auth = [("x-client-id", c.exlr8_client_id.as_str()), ("x-client-secret", c.exlr8_client_secret.as_str())];
        self.write("exlr8", "balance.json", &self.call(Method::GET, &format!("{root}/balance"), &auth, "").await?)?;
        self.write("exlr8", "page.json", &self.call(Method::GET, &format!("{root}/transactions?limit=3"), &auth, "").await?)
    }

    async fn papaya(&self) -> Result<(), Failed> {
        let c = self.h.credentials();
        let base = self.h.base_url(FakeProvider::Papaya);
        let body = serde_json::json!({ "api_key": c.papaya_api_key, "client_secret": c.papaya_client_secret }).to_string();
        let token = self.call(Method::POST, &format!("{base}/token"), &[], &body).await?;
        let v: serde_json::Value = serde_json::from_str(&token)?;
        let auth = format!("Bearer {}", v["token"].as_str().unwrap_or_default());
        let wallets = self.call(Method::GET, &format!("{base}/payments/wallets"), &[("authorization", &auth)], "").await?;
        let id = Self::first_id(&wallets, Some("items"))?;
        let page = self.call(Method::GET, &format!("{base}/payments/wallets/{id}/statement?skip=0&take=3"), &[("authorization", &auth)], "").await?;
        self.write("papaya", "wallets.json", &wallets)?;
        self.write("papaya", "page.json", &page)
    }

    async fn flexprice(&self) -> Result<(), Failed> {
        let key = self.h.credentials().flexprice_api_key;
        let base = self.h.base_url(FakeProvider::Flexprice);
        let auth = [("x-api-key", key.as_str())];
        let wallets = self.call(Method::POST, &format!("{base}/wallets/search"), &auth, "{}").await?;
        let id = Self::first_id(&wallets, Some("items"))?;
        let body = serde_json::json!({ "id": id, "limit": 3, "offset": 0 }).to_string();
        let page = self.call(Method::POST, &format!("{base}/wallets/transactions/search"), &auth, &body).await?;
        self.write("flexprice", "wallets.json", &wallets)?;
        self.write("flexprice", "page.json", &page)
    }

    async fn baanx(&self) -> Result<(), Failed> {
        let c = self.h.credentials();
        let base = self.h.base_url(FakeProvider::Baanx);
        let bearer = format!("Bearer {}", c.baanx_access_token);
        let auth = [("x-client-key", c.baanx_client_key.as_str()), ("authorization", bearer.as_str())];
        let credit = self.call(Method::GET, &format!("{base}/v1/wallet/credit"), &auth, "").await?;
        let v: serde_json::Value = serde_json::from_str(&credit)?;
        let (id, kind) = (v["id"].as_str().unwrap_or_default(), v["type"].as_str().unwrap_or("CREDIT"));
        let page = self.call(Method::GET, &format!("{base}/v1/wallet/history?walletId={id}&walletType={kind}&page=0"), &auth, "").await?;
        self.write("baanx", "wallet.json", &credit)?;
        self.write("baanx", "page.json", &page)
    }

    async fn spaaza(&self) -> Result<(), Failed> {
        let c = self.h.credentials();
        let base = self.h.base_url(FakeProvider::Spaaza);
        let bearer = format!("Bearer {}:{}", c.spaaza_token_id, c.spaaza_token_secret);
        let auth = [("authorization", bearer.as_str())];
        for format in ["csv", "json"] {
            let body = format!(
                r#"{{"chain":{},"desc":"export","target":{{"action":"export","export_index":"wallet-ledger","export_format":"{format}"}},"trigger":{{"once":"2099-01-01T00:00:00Z"}}}}"#,
                c.spaaza_chain_id
            );
            let task = self.call(Method::POST, &format!("{base}/tasks"), &auth, &body).await?;
            let v: serde_json::Value = serde_json::from_str(&task)?;
            let id = v["id"].to_string();
            self.call(Method::POST, &format!("{base}/tasks/{id}/execute"), &auth, "").await?;
            let mut state = String::new();
            for _ in 0..10 {
                state = self.call(Method::GET, &format!("{base}/tasks/{id}"), &auth, "").await?;
                if state.contains("\"DONE\"") {
                    break;
                }
            }
            let url = self.call(Method::GET, &format!("{base}/tasks/{id}/download_url"), &auth, "").await?;
            let file_url: serde_json::Value = serde_json::from_str(&url)?;
            let file = self.call(Method::GET, file_url["url"].as_str().unwrap_or_default(), &[], "").await?;
            self.write("spaaza", &format!("task-{format}.json"), &task)?;
            self.write("spaaza", &format!("state-{format}.json"), &state)?;
            self.write("spaaza", &format!("export.{format}"), &file)?;
            self.write(&format!("ledger_{format}"), &format!("fake-export.{format}"), &file)?;
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Failed> {
    let dir = std::env::args().nth(1).map(PathBuf::from).ok_or("usage: fuzz_seeds DIR")?;
    let h = FakeServer::start(FakeConfig { transactions_per_wallet: 6, ..FakeConfig::default() }).await;
    let seeds = Seeds { dir: Path::new(&dir).to_path_buf(), client: Client::new(), h };
    seeds.exlr8().await?;
    seeds.papaya().await?;
    seeds.flexprice().await?;
    seeds.baanx().await?;
    seeds.spaaza().await?;
    println!("fuzz seeds written to {}", seeds.dir.display());
    Ok(())
}
