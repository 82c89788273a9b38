//! The seeded device codes: derived from their index, so the server child (which stores
//! their hashes) and the load generator (which presents them) need not exchange a million
//! strings. They look like real ones: 43 base64url characters of 256 bits.

use aws_lc_rs::digest::{SHA256, digest};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

/// The client every seeded code belongs to (also the RS256 refresh client).
pub const POLL_CLIENT: &str = "bench-rs256";
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// How many codes are polled too early: the first tenth, at least one and at most 5,000. They
/// have a 5-second interval and answer `slow_down` when polled again within it (RFC 8628
/// §3.5; each `slow_down` adds 5 s, so a connection cycling through its share stays too
/// early once it has gone round in under 4 s, which the cap keeps true). The other codes
/// have interval 0: every poll of them is on time however fast a connection comes back.
pub fn slow_count(codes: u64) -> u64 {
    (codes / 10).clamp(1, 5_000)
}

pub fn device_code(index: u64) -> String {
    let seed = format!("usher-bench-device-code:{index}");
    URL_SAFE_NO_PAD.encode(digest(&SHA256, seed.as_bytes()))
}

/// A distinct 8-letter user code per index (RFC 8628 §6.1 alphabet, base 20).
pub fn user_code(index: u64) -> String {
    const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut n = index;
    let mut code = [b'B'; 8];
    for slot in code.iter_mut().rev() {
        *slot = ALPHABET[(n % 20) as usize];
        n /= 20;
    }
    String::from_utf8_lossy(&code).into_owned()
}

/// The poll form of a code, urlencoded.
pub fn poll_form(code: &str, client_id: &str) -> String {
    serde_urlencoded::to_string([
        ("grant_type", DEVICE_GRANT),
        ("device_code", code),
        ("client_id", client_id),
    ])
    .unwrap_or_default()
}
