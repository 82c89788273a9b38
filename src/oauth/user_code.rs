//! User codes (RFC 8628 §6.1), in one of two formats chosen per client:
//!
//! - letters (default): 8 characters from a 20-letter alphabet without vowels (no
//!   accidental words) and without look-alike letters, shown as `XXXX-XXXX`;
//!   20^8 ≈ 2^34.6 codes.
//! - digits: 6 to 12 digits (default 9), shown in groups of three (`123-456-789`), for
//!   devices with only a numeric remote; 10^9 ≈ 2^29.9 codes.
//!
//! The two alphabets are disjoint, so a typed code is read without knowing its client.
//! Guessing is bounded by budgets per network, per browser session and server-wide, shared
//! by all instances (§5.1, `oauth/code_budgets.rs`); docs/security.md works out the odds.

use crate::tokens::opaque;

pub const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
pub const LENGTH: usize = 8;
/// Shortest numeric code: 10^6 codes is the least that keeps guessing odds small (§6.1).
pub const MIN_DIGITS: usize = 6;
pub const MAX_DIGITS: usize = 12;
pub const DEFAULT_DIGITS: usize = 9;

/// How a client's user codes look (`clients.user_code_format` / `user_code_length`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserCodeFormat {
    #[default]
    Letters,
    Digits(usize),
}

impl UserCodeFormat {
    /// Reads the stored columns; an unknown or out-of-range value falls back to the
    /// default letters rather than failing a device's request.
    pub fn from_columns(format: &str, length: Option<i64>) -> UserCodeFormat {
        match format {
            "digits" => {
                let digits = length.map_or(DEFAULT_DIGITS, |n| n as usize);
                if (MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
                    UserCodeFormat::Digits(digits)
                } else {
                    UserCodeFormat::Letters
                }
            }
            _ => UserCodeFormat::Letters,
        }
    }

    pub fn of_client(client: &crate::store::Client) -> UserCodeFormat {
        Self::from_columns(&client.user_code_format, client.user_code_length)
    }

    /// Number of possible codes, as bits of entropy.
    pub fn entropy_bits(self) -> f64 {
        match self {
            UserCodeFormat::Letters => LENGTH as f64 * 20f64.log2(),
            UserCodeFormat::Digits(n) => n as f64 * 10f64.log2(),
        }
    }
}

/// A normalized user code: 8 letters of [`ALPHABET`] or 6–12 digits, no dash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserCode(String);

impl UserCode {
    /// A code in the default letter format.
    pub fn generate() -> UserCode {
        Self::generate_in(UserCodeFormat::Letters)
    }

    pub fn generate_in(format: UserCodeFormat) -> UserCode {
        let code = match format {
            UserCodeFormat::Letters => random_letters(LENGTH),
            UserCodeFormat::Digits(n) => {
                random_from(b"0123456789", n.clamp(MIN_DIGITS, MAX_DIGITS))
            }
        };
        UserCode(code)
    }

    /// Reads what a person typed: case-insensitive, dashes and spaces ignored (§6.1).
    pub fn parse(input: &str) -> Option<UserCode> {
        let code = normalize(input);
        let letters = is_letters(&code, LENGTH);
        let digits = (MIN_DIGITS..=MAX_DIGITS).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_digit());
        (letters || digits).then_some(UserCode(code))
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown to people: `BCDF-GHJK`, or digits in groups of three (`123-456-789`).
    pub fn display(&self) -> String {
        let group = if self.is_numeric() { 3 } else { 4 };
        self.0
            .as_bytes()
            .chunks(group)
            .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("-")
    }

    pub fn is_numeric(&self) -> bool {
        self.0.bytes().all(|b| b.is_ascii_digit())
    }
}

/// `n` letters of [`ALPHABET`] from the OS CSPRNG (also the pairing codes' alphabet).
pub fn random_letters(n: usize) -> String {
    random_from(ALPHABET, n)
}

/// `n` characters drawn uniformly from `alphabet` (2 to 256 symbols) with the OS CSPRNG.
/// Rejection sampling: a byte at or above the largest multiple of the alphabet's size is
/// dropped, so that `byte % size` favours no symbol (the entropy in docs/security.md
/// assumes a uniform draw).
fn random_from(alphabet: &[u8], n: usize) -> String {
    let size = alphabet.len();
    let limit = 256 - 256 % size;
    let mut out = String::with_capacity(n);
    let mut bytes = [0u8; 32];
    while out.len() < n {
        opaque::fill(&mut bytes);
        for &byte in bytes.iter().filter(|&&b| usize::from(b) < limit) {
            if out.len() == n {
                break;
            }
            out.push(char::from(alphabet[usize::from(byte) % size]));
        }
    }
    out
}

/// What a person typed, made comparable: upper case, dashes and spaces dropped (§6.1).
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether `code` is exactly `n` letters of [`ALPHABET`].
pub fn is_letters(code: &str, n: usize) -> bool {
    code.len() == n && code.bytes().all(|b| ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_use_the_alphabet() {
        for _ in 0..100 {
            let code = UserCode::generate();
            assert_eq!(code.as_str().len(), 8);
            assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
            assert_eq!(UserCode::parse(&code.display()), Some(code));
        }
    }

    #[test]
    fn draws_cover_every_symbol_evenly() {
        // 20,000 draws per alphabet: every symbol appears, near its expected count (5σ
        // bounds: a failure by chance is below one in a million runs).
        for (alphabet, draws) in [(&ALPHABET[..], 20_000), (&b"0123456789"[..], 20_000)] {
            let text = random_from(alphabet, draws);
            assert_eq!(text.len(), draws);
            let expected = (draws / alphabet.len()) as f64;
            let sigma = (expected * (1.0 - 1.0 / alphabet.len() as f64)).sqrt();
            for &symbol in alphabet {
                let count = text.bytes().filter(|&b| b == symbol).count() as f64;
                assert!((count - expected).abs() < 5.0 * sigma, "{symbol}: {count}");
            }
            assert!(text.bytes().all(|b| alphabet.contains(&b)));
        }
    }

    #[test]
    fn numeric_codes_have_their_length_and_read_back() {
        for n in [6, 7, 9, 12] {
            let code = UserCode::generate_in(UserCodeFormat::Digits(n));
            assert_eq!(code.as_str().len(), n);
            assert!(code.is_numeric());
            assert_eq!(UserCode::parse(&code.display()), Some(code));
        }
        let code = UserCode::parse("123 456 789").unwrap();
        assert_eq!(code.as_str(), "123456789");
        assert_eq!(code.display(), "123-456-789");
        assert_eq!(UserCode::parse("1234567").unwrap().display(), "123-456-7");
        assert_eq!(UserCode::parse("12-34-56").unwrap().display(), "123-456");
    }

    #[test]
    fn format_columns_are_read_safely() {
        use UserCodeFormat::*;
        assert_eq!(UserCodeFormat::from_columns("letters", None), Letters);
        assert_eq!(UserCodeFormat::from_columns("digits", None), Digits(9));
        assert_eq!(UserCodeFormat::from_columns("digits", Some(6)), Digits(6));
        assert_eq!(UserCodeFormat::from_columns("digits", Some(5)), Letters);
        assert_eq!(UserCodeFormat::from_columns("emoji", Some(8)), Letters);
        assert!((Digits(9).entropy_bits() - 29.897).abs() < 0.01);
        assert!((Letters.entropy_bits() - 34.575).abs() < 0.01);
    }

    #[test]
    fn entry_ignores_case_dashes_and_spaces() {
        let expected = UserCode::parse("BCDFGHJK").unwrap();
        for typed in ["bcdf-ghjk", "BCDF GHJK", " bcdfghjk ", "bc-df-gh-jk"] {
            assert_eq!(UserCode::parse(typed).as_ref(), Some(&expected), "{typed}");
        }
        assert_eq!(expected.display(), "BCDF-GHJK");
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for typed in [
            "",
            "BCDF-GHJ",
            "BCDF-GHJKL",
            "ABCD-EFGH",
            "BCDF-GHJ1",
            "ВCDF-GHJK",
            "12345",
            "1234567890123",
            "123-456-78B",
            "١٢٣٤٥٦",
        ] {
            assert_eq!(UserCode::parse(typed), None, "{typed}");
        }
    }
}
