//! The protocol's vocabulary as types: each word a client sends or we publish (grant types,
//! client authentication methods, signing algorithms, response types and modes, scopes) is
//! parsed once, at the edge or when a client is loaded, so the code behind matches on
//! variants, exhaustively, instead of comparing strings. Imports nothing of the crate.

mod acr;
mod amr;
mod client_auth_method;
mod grant_type;
mod response_mode;
mod response_type;
mod scope;
mod signing_alg;

pub use acr::Acr;
pub use amr::Amr;
pub use client_auth_method::ClientAuthMethod;
pub use grant_type::GrantType;
pub use response_mode::ResponseMode;
pub use response_type::ResponseType;
pub use scope::Scope;
pub use signing_alg::SigningAlg;

/// A word outside the vocabulary of its kind. The message names the kind and lists the
/// known words, so a command line or a log says what would have been accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{value}' (known: {})", known.join(", "))]
pub struct UnknownWord {
    pub kind: &'static str,
    pub value: String,
    pub known: &'static [&'static str],
}

/// Space-separated words, as OAuth lists them (RFC 6749 §3.3) and the store keeps them.
pub fn join<W: Copy + Into<&'static str>>(words: &[W]) -> String {
    words
        .iter()
        .map(|&w| w.into())
        .collect::<Vec<&str>>()
        .join(" ")
}

/// Parses space-separated words; the first unknown one is the error.
pub fn split<W: std::str::FromStr<Err = UnknownWord>>(text: &str) -> Result<Vec<W>, UnknownWord> {
    text.split_whitespace().map(str::parse).collect()
}

/// One enum per word: its variants with their protocol spellings, `ALL`, `NAMES` (both in
/// the order discovery lists them), `as_str`, `parse`, `FromStr`, `Display`, and serde as
/// the protocol string.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant,)+];
            pub const NAMES: &[&str] = &[$($text,)+];

            /// The protocol spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(value: &str) -> Option<$name> {
                match value {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::protocol::UnknownWord;
            fn from_str(value: &str) -> Result<$name, Self::Err> {
                $name::parse(value).ok_or_else(|| $crate::protocol::UnknownWord {
                    kind: $kind,
                    value: value.to_string(),
                    known: $name::NAMES,
                })
            }
        }

        impl From<$name> for &'static str {
            fn from(word: $name) -> &'static str {
                word.as_str()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        #[cfg(test)]
        mod vocabulary_tests {
            use super::$name;

            #[test]
            fn every_word_round_trips() {
                assert_eq!($name::ALL.len(), $name::NAMES.len());
                for (word, name) in $name::ALL.iter().zip($name::NAMES) {
                    assert_eq!(word.as_str(), *name);
                    assert_eq!(word.to_string(), *name);
                    assert_eq!(name.parse::<$name>(), Ok(*word));
                    let json = serde_json::to_string(word).unwrap();
                    assert_eq!(json, format!("\"{name}\""));
                    assert_eq!(serde_json::from_str::<$name>(&json).unwrap(), *word);
                }
            }

            #[test]
            fn unknown_words_are_refused() {
                for bad in ["", " ", "bogus", "none ", "NONE", "Code", "rs256", "query\0"] {
                    if $name::NAMES.contains(&bad) {
                        continue;
                    }
                    let err = bad.parse::<$name>().unwrap_err();
                    assert_eq!(err.value, bad);
                    assert!(err.to_string().starts_with(concat!("unknown ", $kind)), "{err}");
                    assert!(serde_json::from_value::<$name>(serde_json::json!(bad)).is_err());
                }
            }
        }
    };
}
use vocabulary;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_join_and_split_with_spaces() {
        let grants = [GrantType::DeviceCode, GrantType::RefreshToken];
        let text = join(&grants);
        assert_eq!(
            text,
            "urn:ietf:params:oauth:grant-type:device_code refresh_token"
        );
        assert_eq!(
            split::<GrantType>(&format!("  {text} ")),
            Ok(grants.to_vec())
        );
        assert_eq!(split::<GrantType>(""), Ok(vec![]));
        let err = split::<GrantType>("refresh_token password").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown grant type 'password' (known: urn:ietf:params:oauth:grant-type:device_code, \
             authorization_code, refresh_token)"
        );
    }
}
