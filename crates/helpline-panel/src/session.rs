//! The browser's session and the sign-in in progress, each a sealed cookie (`HttpOnly`,
//! `SameSite=Lax`, `Secure` when the panel is served over HTTPS or on this machine).

use crate::seal::Sealer;
use serde::{Deserialize, Serialize};

/// The session cookie's name. Served securely, it carries the `__Host-` prefix: browsers then
/// accept it only with `Secure`, `Path=/` and no `Domain`, so no sibling subdomain can plant or
/// overwrite it (a planted session would sign a victim into someone else's account).
pub(crate) const fn session_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-helpline_session"
    } else {
        "helpline_session"
    }
}

/// The sign-in cookie's name (see [`session_cookie`]).
pub(crate) const fn login_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-helpline_login"
    } else {
        "helpline_login"
    }
}

/// How long a sign-in may take between the redirect to Discord and the way back.
pub(crate) const LOGIN_SECS: i64 = 600;

/// A signed-in user.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Session {
    #[serde(rename = "u")]
    pub(crate) user: u64,
    #[serde(rename = "n")]
    pub(crate) name: String,
    /// Their Discord locale.
    #[serde(rename = "l")]
    pub(crate) locale: Option<String>,
    /// The token every form of this session carries.
    #[serde(rename = "c")]
    pub(crate) csrf: String,
    /// Unix seconds after which the session is over.
    #[serde(rename = "e")]
    pub(crate) expires: i64,
    /// When it began (Unix milliseconds): a sign-out at or after it ends it on every replica.
    #[serde(rename = "i", default)]
    pub(crate) issued: i64,
    /// The servers they are on where Helpline is set up: (id, name).
    #[serde(rename = "g")]
    pub(crate) guilds: Vec<(u64, String)>,
}

/// A sign-in on its way through Discord.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Login {
    /// The OAuth2 `state`, checked on the way back.
    #[serde(rename = "s")]
    pub(crate) state: String,
    /// The PKCE verifier.
    #[serde(rename = "v")]
    pub(crate) verifier: String,
    /// Where to go once signed in (a path of the panel).
    #[serde(rename = "n")]
    pub(crate) next: String,
    #[serde(rename = "e")]
    pub(crate) expires: i64,
}

pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A cookie's value from a `Cookie` header.
pub(crate) fn cookie<'h>(header: Option<&'h str>, name: &str) -> Option<&'h str> {
    header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A sealed cookie's contents, if it is there, opens and has not expired.
pub(crate) fn read<T: serde::de::DeserializeOwned>(
    sealer: &Sealer,
    header: Option<&str>,
    name: &str,
    expires: impl Fn(&T) -> i64,
) -> Option<T> {
    let sealed = cookie(header, name)?;
    let plain = sealer.open(name, sealed)?;
    let value: T = serde_json::from_slice(&plain).ok()?;
    (expires(&value) > now_secs()).then_some(value)
}

/// A `Set-Cookie` header value for `name` holding `value` sealed, for `max_age` seconds.
pub(crate) fn set<T: Serialize>(
    sealer: &Sealer,
    name: &str,
    value: &T,
    max_age: i64,
    secure: bool,
) -> Option<String> {
    let plain = serde_json::to_vec(value).ok()?;
    let sealed = sealer.seal(name, &plain)?;
    Some(format!(
        "{name}={sealed}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    ))
}

/// A `Set-Cookie` header value that removes `name`.
pub(crate) fn clear(name: &str, secure: bool) -> String {
    format!(
        "{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Whether `next` is a path of the panel (never another site: no open redirect).
pub(crate) fn safe_next(next: &str) -> String {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 512;
    if safe {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_panel_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/tickets/12"), "/tickets/12");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "tickets",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn cookies_are_read_by_name() {
        let header = Some("a=1; helpline_session=xyz; b=2; __Host-helpline_session=abc");
        assert_eq!(cookie(header, session_cookie(false)), Some("xyz"));
        assert_eq!(cookie(header, session_cookie(true)), Some("abc"));
        assert_eq!(cookie(header, login_cookie(false)), None);
    }
}

/// When users last signed out, as the store says, remembered briefly: a session is checked on
/// every request, and a sign-out on another replica ends it within [`SignOuts::TTL`].
#[derive(Debug, Default)]
pub(crate) struct SignOuts {
    seen: std::sync::Mutex<std::collections::HashMap<u64, (std::time::Instant, Option<i64>)>>,
}

impl SignOuts {
    pub(crate) const TTL: std::time::Duration = std::time::Duration::from_secs(10);
    /// Users remembered at most; past it the memory starts again.
    const MAX: usize = 10_000;

    /// Whether `session` is still on: not ended by a sign-out. A store that cannot answer ends
    /// it (the page then asks to sign in again).
    pub(crate) async fn allows(
        &self,
        store: &dyn helpline_store::Store,
        session: &Session,
    ) -> bool {
        let known = self
            .seen
            .lock()
            .ok()
            .and_then(|seen| seen.get(&session.user).copied())
            .filter(|(at, _)| at.elapsed() < Self::TTL);
        let ended = match known {
            Some((_, ended)) => ended,
            None => {
                let Some(user) = helpline_domain::UserId::new_checked(session.user) else {
                    return false;
                };
                match store.panel_sessions_ended(user).await {
                    Ok(ended) => {
                        let ended = ended.map(helpline_domain::Timestamp::as_millis);
                        self.remember(session.user, ended);
                        ended
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot check a session against sign-outs");
                        return false;
                    }
                }
            }
        };
        ended.is_none_or(|ended| session.issued > ended)
    }

    pub(crate) fn remember(&self, user: u64, ended: Option<i64>) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= Self::MAX {
                seen.clear();
            }
            seen.insert(user, (std::time::Instant::now(), ended));
        }
    }
}
