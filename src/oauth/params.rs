//! Form parameters of an OAuth request. RFC 6749 §3.1/§3.2: parameters sent without a value
//! are treated as omitted, and a parameter must not be sent more than once.

use std::collections::HashSet;

use crate::error::OAuthError;

/// What a device says about itself (`http/device_metadata.rs`): cleaned of control
/// characters there rather than refused, so a clumsy name never fails a sign-in.
const FREE_TEXT: &[&str] = &[
    "device_name",
    "device_model",
    "device_os",
    "device_app_version",
];

/// RFC 6749 Appendix A: protocol values are printable (VSCHAR, NQCHAR, URI-reference), so a
/// control character is never part of a valid one. NUL is refused everywhere: PostgreSQL
/// cannot store it and would answer a lookup with an error instead of "not found".
fn is_clean(name: &str, value: &str) -> bool {
    printable(name)
        && match FREE_TEXT.contains(&name) {
            true => !value.contains('\0'),
            false => printable(value),
        }
}

/// No `char::is_control` character (Unicode Cc: U+0000–U+001F, U+007F, U+0080–U+009F),
/// checked on the UTF-8 bytes: C0 and DEL are single bytes, C1 is 0xC2 then 0x80–0x9F.
fn printable(s: &str) -> bool {
    let bytes = s.as_bytes();
    // Printable ASCII, the usual case, in one pass the compiler vectorizes.
    if bytes.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        return true;
    }
    !bytes.iter().enumerate().any(|(i, &b)| {
        b < 0x20 || b == 0x7f || (b == 0xc2 && matches!(bytes.get(i + 1), Some(0x80..=0x9f)))
    })
}

/// Up to this many parameters, a repeat is found by comparing with the earlier names; a
/// longer (hostile) form uses a hash set, so checking stays linear in the body's size.
const LINEAR_REPEAT_CHECK: usize = 16;

/// The parameters of one request, in the order sent. Names and values are decoded once into
/// one buffer (`text`), each pair a slice of it: a form costs two allocations, plus one per
/// percent-encoded part, instead of two per pair and a hash map. Requests carry a handful of
/// parameters, so a lookup is a scan.
#[derive(Default, Clone)]
pub struct Params {
    text: String,
    /// (name start, name end = value start, value end) in `text`.
    pairs: Vec<(usize, usize, usize)>,
}

impl Params {
    /// Parses an `application/x-www-form-urlencoded` body (the WHATWG parser, as
    /// `serde_urlencoded` did: `+` is a space, bytes that are not UTF-8 become U+FFFD), then
    /// applies `from_pairs`' rules. Parts that need no decoding are read in place; the
    /// others are decoded into one scratch buffer per form (issue 12: no allocation per
    /// percent-encoded part).
    pub fn from_form(body: &[u8]) -> Result<Params, OAuthError> {
        let mut rules = Rules::new(body.len());
        // Allocated on the first part that needs decoding, reused by the next ones.
        let mut scratch = Vec::new();
        for part in body.split(|&b| b == b'&').filter(|part| !part.is_empty()) {
            let (name, value) = match part.iter().position(|&b| b == b'=') {
                Some(at) => (&part[..at], &part[at + 1..]),
                None => (part, &b""[..]),
            };
            scratch.clear();
            let name = decode(name, &mut scratch);
            let value_start = scratch.len();
            let value = decode(value, &mut scratch);
            let name = match name {
                Decoded::Plain(text) => text,
                Decoded::At(start) => std::str::from_utf8(&scratch[start..value_start]).ok(),
            };
            let value = match value {
                Decoded::Plain(text) => text,
                Decoded::At(start) => std::str::from_utf8(&scratch[start..]).ok(),
            };
            match (name, value) {
                (Some(name), Some(value)) => rules.add(name, value)?,
                // Not UTF-8 after decoding: replaced as the WHATWG parser does (rare).
                _ => {
                    let lossy = |raw: &[u8]| -> String {
                        let mut buffer = Vec::new();
                        match decode(raw, &mut buffer) {
                            Decoded::Plain(Some(text)) => text.to_owned(),
                            Decoded::Plain(None) => String::from_utf8_lossy(raw).into_owned(),
                            Decoded::At(_) => String::from_utf8_lossy(&buffer).into_owned(),
                        }
                    };
                    let (name, value) = match part.iter().position(|&b| b == b'=') {
                        Some(at) => (lossy(&part[..at]), lossy(&part[at + 1..])),
                        None => (lossy(part), String::new()),
                    };
                    rules.add(&name, &value)?;
                }
            }
        }
        Ok(rules.params)
    }

    /// Builds the parameter map, rejecting any repeated name and any control character with
    /// `invalid_request`.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Params, OAuthError> {
        let size = pairs.iter().map(|(n, v)| n.len() + v.len()).sum();
        let mut rules = Rules::new(size);
        for (name, value) in &pairs {
            rules.add(name, value)?;
        }
        Ok(rules.params)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs
            .iter()
            .map(|&(start, split, _)| &self.text[start..split])
    }

    fn raw(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|&&(start, split, _)| &self.text[start..split] == name)
            .map(|&(_, split, end)| &self.text[split..end])
    }

    /// A parameter's value; empty values count as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).filter(|v| !v.is_empty())
    }

    /// A parameter that must be present.
    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("The parameter '{name}' is missing."))
        })
    }
}

/// The rules of both constructors, checked pair by pair in the order sent (so the first
/// problem is the one reported).
struct Rules {
    params: Params,
    many: Option<HashSet<String>>,
}

impl Rules {
    fn new(size_hint: usize) -> Rules {
        Rules {
            params: Params {
                text: String::with_capacity(size_hint),
                pairs: Vec::with_capacity(4),
            },
            many: None,
        }
    }

    fn add(&mut self, name: &str, value: &str) -> Result<(), OAuthError> {
        let params = &mut self.params;
        if !is_clean(name, value) {
            return Err(OAuthError::invalid_request(
                "A parameter contains a control character.",
            ));
        }
        let repeated = match &mut self.many {
            Some(seen) => !seen.insert(name.to_owned()),
            None => params.names().any(|seen| seen == name),
        };
        if repeated {
            return Err(OAuthError::invalid_request(format!(
                "The parameter '{name}' was sent more than once."
            )));
        }
        if self.many.is_none() && params.pairs.len() == LINEAR_REPEAT_CHECK {
            let mut seen: HashSet<String> = params.names().map(str::to_owned).collect();
            seen.insert(name.to_owned());
            self.many = Some(seen);
        }
        let start = params.text.len();
        params.text.push_str(name);
        let split = params.text.len();
        params.text.push_str(value);
        params.pairs.push((start, split, params.text.len()));
        Ok(())
    }
}

/// A form part: text as sent (`None`: not UTF-8), or decoded into the scratch buffer from
/// this offset on.
enum Decoded<'a> {
    Plain(Option<&'a str>),
    At(usize),
}

/// WHATWG `application/x-www-form-urlencoded` byte decoding: `+` is a space, `%` and two
/// hex digits a byte, any other `%` itself.
fn decode<'a>(raw: &'a [u8], scratch: &mut Vec<u8>) -> Decoded<'a> {
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return Decoded::Plain(std::str::from_utf8(raw).ok());
    }
    // Decoding never lengthens: one reservation, no growth while pushing.
    scratch.reserve(raw.len());
    let start = scratch.len();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut i = 0;
    while i < raw.len() {
        let byte = match raw[i] {
            b'+' => b' ',
            b'%' => match (
                raw.get(i + 1).and_then(|&b| hex(b)),
                raw.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(high), Some(low)) => {
                    i += 2;
                    high << 4 | low
                }
                _ => b'%',
            },
            other => other,
        };
        scratch.push(byte);
        i += 1;
    }
    Decoded::At(start)
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(
                self.pairs
                    .iter()
                    .map(|&(start, split, end)| (&self.text[start..split], &self.text[split..end])),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn control_characters_and_repeats_are_invalid_requests() {
        assert!(
            Params::from_pairs(pairs(&[("client_id", "tv"), ("scope", "openid email")])).is_ok()
        );
        for bad in [
            &[("client_id", "tv\0")][..],
            &[("client_id", "tv\n")],
            &[("redirect_uri", "https://a.example/\u{7f}")],
            &[("cli\0ent_id", "tv")],
            &[("device_name", "TV\0")],
            &[("client_id", "a"), ("client_id", "b")],
        ] {
            let err = Params::from_pairs(pairs(bad)).unwrap_err();
            assert_eq!(err.kind.code(), "invalid_request", "{bad:?}");
        }
        // A device's own name is cleaned later, not refused.
        assert!(Params::from_pairs(pairs(&[("device_name", "Living\troom")])).is_ok());
    }

    /// `from_form` reads a body exactly as `serde_urlencoded` into owned pairs did.
    #[test]
    fn forms_parse_as_serde_urlencoded_did() {
        for body in [
            &b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=abc&client_id=tv"[..],
            b"scope=openid+email&client_id=tv",
            b"a=b=c&&empty=&bare&%61%62=x%20y",
            b"name=%FF%FE&raw=\xc3\xa9\xff",
            b"a=%2&b=%zz&c=%&d=%%41&e=%4&f=%c3%a9+%E2%82%ac",
            b"=x&y=",
            b"%2B+plus=a%2Bb+c",
            b"",
        ] {
            let old: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap();
            let old = Params::from_pairs(old).unwrap();
            let new = Params::from_form(body).unwrap();
            assert_eq!(format!("{new:?}"), format!("{old:?}"));
            for (name, _) in url::form_urlencoded::parse(body) {
                assert_eq!(new.get(&name), old.get(&name));
            }
        }
        let params = Params::from_form(b"scope=openid+email&empty=&bare&b=c=d").unwrap();
        assert_eq!(params.get("scope"), Some("openid email"));
        assert_eq!(params.get("b"), Some("c=d"));
        assert_eq!(params.get("empty"), None);
        assert_eq!(params.get("bare"), None);
        assert_eq!(params.get("missing"), None);
        assert_eq!(params.require("scope").unwrap(), "openid email");
        assert_eq!(
            params.require("empty").unwrap_err().kind.code(),
            "invalid_request"
        );
    }

    /// Any body of `%`, `+`, `=`, `&`, hex digits, letters and stray bytes decodes as the
    /// WHATWG parser of the `url` crate decodes it (pairs in order, lossy UTF-8).
    #[test]
    fn forms_decode_as_the_url_crate_does() {
        const ALPHABET: &[u8] = b"%%++==&&aAfF09gz\xc3\xa9\xff\xe2\x82\xac ";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..5_000 {
            let mut body = Vec::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for _ in 0..(seed >> 59) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                body.push(ALPHABET[(seed >> 33) as usize % ALPHABET.len()]);
            }
            let expected: Vec<(String, String)> = url::form_urlencoded::parse(&body)
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect();
            match (Params::from_form(&body), Params::from_pairs(expected)) {
                (Ok(new), Ok(old)) => {
                    assert_eq!(format!("{new:?}"), format!("{old:?}"), "{body:?}")
                }
                (Err(new), Err(old)) => assert_eq!(new, old, "{body:?}"),
                (new, old) => panic!("{body:?}: {new:?} vs {old:?}"),
            }
        }
    }

    #[test]
    fn hostile_forms_are_invalid_requests() {
        for body in [
            &b"client_id=tv%00"[..],
            b"client_id=tv&client_id=tv",
            b"client_id=a&client%5Fid=b",
            b"client_id=&client_id=",
            b"cli%00ent=x",
            b"redirect_uri=%0A",
        ] {
            let err = Params::from_form(body).unwrap_err();
            assert_eq!(err.kind.code(), "invalid_request", "{body:?}");
        }
        // Past the linear check, a repeat is still found, early or late.
        let many: Vec<String> = (0..100).map(|i| format!("p{i}=v")).collect();
        assert!(Params::from_form(many.join("&").as_bytes()).is_ok());
        for repeat in ["p0", "p15", "p16", "p17", "p99"] {
            let body = format!("{}&{repeat}=again", many.join("&"));
            let err = Params::from_form(body.as_bytes()).unwrap_err();
            assert!(err.description.contains(&format!("'{repeat}'")), "{repeat}");
        }
        let body = format!("{}&p3=again", many[..10].join("&"));
        assert!(Params::from_form(body.as_bytes()).is_err());
    }
}
