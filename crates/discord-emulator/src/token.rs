//! Bot tokens with a Discord token's shape: the base64 of the bot's id, a dot, a timestamp
//! part, a dot and an HMAC part (URL-safe base64 without padding), which libraries that check
//! a token's shape accept and from which they read the bot's id.

/// Seconds between the Unix epoch and the epoch of a token's timestamp part (2011-01-01).
const TOKEN_EPOCH: u64 = 1_293_840_000;

/// The timestamp part's instant: 2024-01-01T00:00:00Z.
const ISSUED_AT: u64 = 1_704_067_200;

/// A token for the bot user `bot_id`, the same for the same id.
pub fn bot_token_for(bot_id: u64) -> String {
    let id = base64url(bot_id.to_string().as_bytes());
    let issued = u32::try_from(ISSUED_AT - TOKEN_EPOCH).unwrap_or(u32::MAX);
    let timestamp = base64url(&issued.to_be_bytes());
    // Not a real HMAC: 28 bytes from a generator seeded with the id, as long as Discord's.
    let mut state = bot_id ^ 0x9e37_79b9_7f4a_7c15;
    let mut secret = Vec::with_capacity(32);
    while secret.len() < 28 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut mixed = state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        mixed ^= mixed >> 31;
        secret.extend_from_slice(&mixed.to_be_bytes());
    }
    secret.truncate(28);
    format!("{id}.{timestamp}.{}", base64url(&secret))
}

/// URL-safe base64 without padding.
pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let word = chunk.iter().enumerate().fold(0u32, |word, (index, byte)| {
            word | u32::from(*byte) << (16 - 8 * index)
        });
        for index in 0..=chunk.len() {
            let sextet = (word >> (18 - 6 * index)) & 0x3f;
            out.push(char::from(ALPHABET[sextet as usize]));
        }
    }
    out
}

/// Standard or URL-safe base64, padded or not.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut word = 0u32;
    let mut bits = 0;
    for byte in text.bytes().filter(|byte| *byte != b'=') {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        word = (word << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((word >> bits) & 0xff).unwrap_or(0));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEFAULT_APPLICATION_ID, DEFAULT_BOT_TOKEN};

    #[test]
    fn base64_matches_the_standard_alphabet_without_padding() {
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
        assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("-_8").unwrap(), b"\xfb\xff");
    }

    #[test]
    fn the_default_token_has_a_discord_tokens_shape() {
        assert_eq!(DEFAULT_BOT_TOKEN, bot_token_for(DEFAULT_APPLICATION_ID));
        let parts: Vec<&str> = DEFAULT_BOT_TOKEN.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            parts[0],
            base64url(DEFAULT_APPLICATION_ID.to_string().as_bytes())
        );
        assert_eq!(parts[1].len(), 6);
        assert_eq!(parts[2].len(), 38);
        assert!(
            DEFAULT_BOT_TOKEN
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        );
    }
}
