//! Cookies sealed with AES-256-GCM (the panel's session key): the browser holds them but can
//! neither read nor alter them, and a cookie sealed for one name does not open as another.
//! Random tokens for OAuth2 states, PKCE verifiers and CSRF tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom as _, SystemRandom};

/// Seals and opens cookie values.
pub(crate) struct Sealer {
    key: LessSafeKey,
    random: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        let key = UnboundKey::new(&AES_256_GCM, key).unwrap_or_else(|_| {
            // A 32-byte key is always accepted by AES-256-GCM.
            unreachable!("an AES-256 key is 32 bytes")
        });
        Self {
            key: LessSafeKey::new(key),
            random: SystemRandom::new(),
        }
    }

    /// `plain` sealed for the cookie `name`, as URL-safe base64.
    pub(crate) fn seal(&self, name: &str, plain: &[u8]) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random.fill(&mut nonce).ok()?;
        let mut data = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name.as_bytes()),
                &mut data,
            )
            .ok()?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&data);
        Some(URL_SAFE_NO_PAD.encode(sealed))
    }

    /// The plain bytes of a value sealed for `name`; `None` when it was not (altered, sealed
    /// with another key or for another cookie).
    pub(crate) fn open(&self, name: &str, sealed: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(name.as_bytes()), &mut data)
            .ok()?;
        Some(plain.to_vec())
    }

    /// A random number (a guild job's id's low bits).
    pub(crate) fn random_u32(&self) -> u32 {
        let mut buffer = [0u8; 4];
        let _ = self.random.fill(&mut buffer);
        u32::from_le_bytes(buffer)
    }

    /// A random token of `bytes` random bytes, URL-safe.
    pub(crate) fn token(&self, bytes: usize) -> String {
        let mut buffer = vec![0u8; bytes];
        // The system's random source does not fail on the platforms Helpline runs on; if it
        // did, the all-zero token would fail every state and CSRF check, never pass one.
        let _ = self.random.fill(&mut buffer);
        URL_SAFE_NO_PAD.encode(buffer)
    }
}

/// The PKCE challenge of a verifier (S256).
pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// Whether two secrets are equal, in time independent of where they differ.
pub(crate) fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_as_sealed() {
        let sealer = Sealer::new(&[7; 32]);
        let sealed = sealer.seal("session", b"user 42").unwrap();
        assert_eq!(sealer.open("session", &sealed).unwrap(), b"user 42");
        assert!(
            sealer.open("login", &sealed).is_none(),
            "another cookie's name"
        );
        assert!(
            Sealer::new(&[8; 32]).open("session", &sealed).is_none(),
            "another key"
        );
        let mut altered = sealed.into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(
            sealer
                .open("session", &String::from_utf8(altered).unwrap())
                .is_none()
        );
        assert!(sealer.open("session", "not base64!").is_none());
        assert_ne!(sealer.token(32), sealer.token(32));
    }

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
