//! How the HTTP client treats a 200 whose body it cannot use, against a real
//! server on 127.0.0.1: a body cut off is retried like an outage; JSON of
//! the wrong shape is a protocol error at once, naming the provider and the
//! field, and is not retried.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use walletbook_core::model::Provider;
use walletbook_core::ErrorCode;
use walletbook_sync::http::{generic_error_reader, ProviderHttp, RetryPolicy};
use walletbook_sync::SyncError;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Page {
    transactions: Vec<Row>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Row {
    id: String,
    amount: walletbook_core::money::WireDecimal,
}

/// Serve `bodies` as 200 answers, one per request (the last one repeats);
/// returns the base URL and the request count.
async fn serve(bodies: Vec<&'static str>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let body = bodies[n.min(bodies.len() - 1)];
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, hits)
}

fn client() -> ProviderHttp {
    ProviderHttp::new(Provider::Exlr8, RetryPolicy::fast(), generic_error_reader).expect("client")
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_a_protocol_error_at_once() {
    let (url, hits) = serve(vec![r#"{"transactions":[{"id":"t1","amount":1},{"id":"t2","amount":{"value":2}}]}"#]).await;
    let started = Instant::now();
    let err = client().json::<Page>(|c| c.get(&url)).await.expect_err("wrong shape");
    assert!(matches!(err, SyncError::Shape { .. }), "{err:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "not retried");
    assert!(started.elapsed() < Duration::from_secs(5));
    let text = err.to_string();
    assert!(text.contains("Exlr8") && text.contains("transactions[1].amount"), "{text}");
    assert!(!text.contains("try again later"), "not reported as an outage: {text}");
    assert_eq!(err.code(), ErrorCode::Provider);

    let (url, _) = serve(vec![r#"{"items":[]}"#]).await;
    let text = client().json::<Page>(|c| c.get(&url)).await.expect_err("missing field").to_string();
    assert!(text.contains("missing field `transactions`") && text.contains("the top level"), "{text}");
}

#[tokio::test]
async fn a_body_cut_off_is_retried() {
    let (url, hits) = serve(vec![r#"{"transactions":[{"id":"t1","amo"#, r#"{"transactions":[{"id":"t1","amount":1.50}]}"#]).await;
    let page = client().json::<Page>(|c| c.get(&url)).await.expect("the second answer is whole");
    assert_eq!(page.transactions.len(), 1);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}
