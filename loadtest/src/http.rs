//! The little HTTP the runner speaks to its own children over loopback: one GET, answered
//! whole (HTTP/1.0, so the server closes when done).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

/// GETs `path` from `127.0.0.1:port`: the status and the body.
pub(crate) fn get(port: u16, path: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .with_context(|| format!("cannot reach 127.0.0.1:{port}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: */*\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let Some((head, body)) = response.split_once("\r\n\r\n") else {
        bail!("127.0.0.1:{port}{path}: no HTTP answer");
    };
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .with_context(|| format!("127.0.0.1:{port}{path}: no status in {head:?}"))?;
    Ok((status, body.to_owned()))
}

/// Percent-encodes a query parameter's value.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A free loopback port (bound, then released for a child to take).
pub(crate) fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The sum of a Prometheus exposition's samples of `name` whose labels contain `labels`.
pub(crate) fn sum_samples(exposition: &str, name: &str, labels: &str) -> f64 {
    exposition
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(['{', ' ']))
                && line.contains(labels)
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn samples_are_summed_by_exact_name_and_labels() {
        let text =
            "# HELP x_total x\nx_total{a=\"1\"} 2\nx_total{a=\"2\"} 3\nx_total_more 7\nx_total 1\n";
        assert_eq!(super::sum_samples(text, "x_total", ""), 6.0);
        assert_eq!(super::sum_samples(text, "x_total", "a=\"2\""), 3.0);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            super::encode("sum(x{a=\"b\"})"),
            "sum%28x%7Ba%3D%22b%22%7D%29"
        );
    }
}
