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

/// A histogram's cumulative buckets in an exposition, summed over its label sets: `(le, count)`
/// by increasing `le` (`+Inf` last).
pub(crate) fn buckets(exposition: &str, name: &str) -> Vec<(f64, f64)> {
    let prefix = format!("{name}_bucket{{");
    let mut by_bound: Vec<(f64, f64)> = Vec::new();
    for line in exposition.lines().filter(|line| line.starts_with(&prefix)) {
        let Some(bound) = line
            .split("le=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|le| {
                if le == "+Inf" {
                    Some(f64::INFINITY)
                } else {
                    le.parse().ok()
                }
            })
        else {
            continue;
        };
        let Some(count) = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) else {
            continue;
        };
        match by_bound.iter_mut().find(|(le, _)| *le == bound) {
            Some((_, total)) => *total += count,
            None => by_bound.push((bound, count)),
        }
    }
    by_bound.sort_by(|a, b| a.0.total_cmp(&b.0));
    by_bound
}

/// The `q` quantile of the observations between two snapshots of a histogram's buckets, as
/// Prometheus's `histogram_quantile` computes it (linear within the bucket); `None` without
/// observations.
pub(crate) fn quantile_between(before: &[(f64, f64)], after: &[(f64, f64)], q: f64) -> Option<f64> {
    let delta: Vec<(f64, f64)> = after
        .iter()
        .map(|(le, count)| {
            let earlier = before
                .iter()
                .find(|(b, _)| b == le)
                .map_or(0.0, |(_, c)| *c);
            (*le, count - earlier)
        })
        .collect();
    let total = delta.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q * total;
    let mut lower = (0.0, 0.0);
    for &(le, count) in &delta {
        if count >= rank {
            if le.is_infinite() {
                return Some(lower.0);
            }
            let within = (rank - lower.1) / (count - lower.1).max(f64::EPSILON);
            return Some(lower.0 + (le - lower.0) * within);
        }
        lower = (le, count);
    }
    None
}

#[cfg(test)]
mod histogram_tests {
    #[test]
    fn a_quantile_is_read_between_two_snapshots() {
        let before = "h_bucket{r=\"a\",le=\"0.1\"} 10\nh_bucket{r=\"a\",le=\"1\"} 10\nh_bucket{r=\"a\",le=\"+Inf\"} 10\n";
        let after = "h_bucket{r=\"a\",le=\"0.1\"} 60\nh_bucket{r=\"a\",le=\"1\"} 110\nh_bucket{r=\"a\",le=\"+Inf\"} 110\nh_bucket{r=\"b\",le=\"0.1\"} 0\nh_bucket{r=\"b\",le=\"1\"} 0\nh_bucket{r=\"b\",le=\"+Inf\"} 0\n";
        let (before, after) = (super::buckets(before, "h"), super::buckets(after, "h"));
        assert_eq!(after.len(), 3);
        // 100 new observations: 50 under 0.1 s, 50 between 0.1 and 1 s.
        let median = super::quantile_between(&before, &after, 0.5).unwrap();
        assert!((median - 0.1).abs() < 1e-9, "{median}");
        let p99 = super::quantile_between(&before, &after, 0.99).unwrap();
        assert!((p99 - (0.1 + 0.9 * 49.0 / 50.0)).abs() < 1e-9, "{p99}");
        assert!(super::quantile_between(&after, &after, 0.5).is_none());
    }
}
