//! A string that must never reach a log line, an error message or the `config` output.

use std::fmt;

/// What [`Secret`]'s `Debug` and `Display` print instead of the value.
pub(crate) const REDACTED: &str = "[redacted]";

/// A secret such as the Discord bot token.
///
/// `Debug` and `Display` print `[redacted]`, so a secret inside a settings struct can be logged
/// or printed whole. The only way to the value is [`Secret::expose`], which is meant to be
/// called at the one place that hands it to a client library, so a reviewer can grep for it.
/// There is deliberately no `Serialize`: serialising the settings cannot leak the value.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct Secret(String);

impl Secret {
    /// The secret value itself. Call it only where the value leaves the process for the
    /// service it authenticates to.
    #[allow(
        dead_code,
        reason = "the `run` subcommand hands the token to the gateway"
    )]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Secret {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        // An empty secret is a mistake (a blank Helm value, an empty file), never a real token;
        // the message says how to leave it unset instead, and never repeats the value.
        if value.trim().is_empty() {
            return Err("must not be empty; leave the key out to keep the secret unset");
        }
        Ok(Self(value))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = Secret::try_from("hunter2".to_owned()).unwrap();
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{secret:#?}"), "[redacted]");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn empty_secret_is_rejected() {
        assert!(Secret::try_from(String::new()).is_err());
        assert!(Secret::try_from("  ".to_owned()).is_err());
    }
}
