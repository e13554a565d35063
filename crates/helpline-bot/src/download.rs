//! Downloading attachments for transcripts: Discord's attachment links expire, so the bot
//! copies the bytes while they are valid. Plain HTTP is allowed (the emulator serves its files
//! over it); HTTPS is verified with the platform's roots.

use http_body_util::{BodyExt as _, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// An HTTP client for attachment URLs.
#[derive(Clone, Debug)]
pub(crate) struct Downloader {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

/// How long one download may take.
const TIMEOUT: Duration = Duration::from_secs(30);

impl Downloader {
    pub(crate) fn new() -> Self {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_platform_verifier()
            .https_or_http()
            .enable_http1()
            .build();
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// The bytes at `url`, or `None` when it fails, answers other than 200, or is larger than
    /// `max_bytes`.
    pub(crate) async fn fetch(&self, url: &str, max_bytes: u64) -> Option<Vec<u8>> {
        let uri: hyper::Uri = url.parse().ok()?;
        let request = async {
            let response = self.client.get(uri).await.ok()?;
            if response.status() != hyper::StatusCode::OK {
                return None;
            }
            let limit = usize::try_from(max_bytes).unwrap_or(usize::MAX);
            let body = Limited::new(response.into_body(), limit)
                .collect()
                .await
                .ok()?;
            Some(body.to_bytes().to_vec())
        };
        match tokio::time::timeout(TIMEOUT, request).await {
            Ok(bytes) => bytes,
            Err(_) => {
                tracing::warn!("attachment download timed out");
                None
            }
        }
    }
}
