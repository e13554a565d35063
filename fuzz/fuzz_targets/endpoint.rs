//! The interactions endpoint's request check (`helpline_bot::endpoint::Verifier::check`) on
//! arbitrary headers and bodies: it must never panic, and must refuse with 401/413/400 — and
//! on bodies signed with the right key (so the JSON parser is reached) the same holds.
#![no_main]

use helpline_bot::PublicKey;
use helpline_bot::endpoint::Verifier;
use libfuzzer_sys::fuzz_target;
use ring::signature::{Ed25519KeyPair, KeyPair as _};

const NOW: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let pair = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap();
    let hex: String = pair.public_key().as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let verifier = Verifier::new(PublicKey::from_hex(&hex).unwrap());
    // Arbitrary headers and body: the first byte splits the rest.
    let split = usize::from(data.first().copied().unwrap_or(0));
    let rest = data.get(1..).unwrap_or_default();
    let (signature, rest) = rest.split_at(split.min(rest.len()));
    let (timestamp, body) = rest.split_at(rest.len().min(12));
    if let Err(refusal) = verifier.check(Some(signature), Some(timestamp), body, NOW) {
        assert!(matches!(refusal.status(), 400 | 401 | 413));
    }
    // The same body signed with the key: only the JSON decides.
    let ts = NOW.to_string();
    let mut message = ts.as_bytes().to_vec();
    message.extend_from_slice(data);
    let signed: String = pair.sign(&message).as_ref().iter().map(|b| format!("{b:02x}")).collect();
    if let Err(refusal) = verifier.check(Some(signed.as_bytes()), Some(ts.as_bytes()), data, NOW) {
        assert!(matches!(refusal.status(), 400 | 413), "{refusal:?}");
    }
});
