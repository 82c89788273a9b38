//! The typed values of `Config`: each is parsed (and refused) when the configuration is
//! read, so the rest of the server never meets an unparsed string.

use std::{
    fmt,
    net::{IpAddr, SocketAddr},
    ops::Deref,
    str::FromStr,
};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// The issuer identifier: an absolute http(s) URL without query, fragment or user name (OIDC
/// Discovery §3, RFC 8414 §2), kept exactly as written (a trailing slash included), since
/// relying parties compare it character by character (OIDC Discovery §4.3, RFC 8414 §3.3).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Issuer(String);

impl Issuer {
    /// Checks `text` and keeps it unchanged.
    pub fn parse(text: &str) -> Result<Issuer, String> {
        let Ok(url) = url::Url::parse(text) else {
            return Err(format!("{text:?} is not an absolute URL"));
        };
        let bad = |why: &str| Err(format!("{text:?} {why}"));
        if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
            return bad("must be an http or https URL with a host");
        }
        // `Url` reads an empty `?` or `#` as Some(""): still not allowed.
        if url.query().is_some() || url.fragment().is_some() {
            return bad("must have no query or fragment");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return bad("must have no user name or password");
        }
        Ok(Issuer(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Issuer {
    type Err = String;
    fn from_str(text: &str) -> Result<Issuer, String> {
        Issuer::parse(text)
    }
}

impl TryFrom<String> for Issuer {
    type Error = String;
    fn try_from(text: String) -> Result<Issuer, String> {
        Issuer::parse(&text)
    }
}

impl From<Issuer> for String {
    fn from(issuer: Issuer) -> String {
        issuer.0
    }
}

impl Deref for Issuer {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Issuer {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl PartialEq<str> for Issuer {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Issuer {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Issuer {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

/// How `usher serve` writes its log lines (`log_format`, also `USHER_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl TryFrom<String> for LogFormat {
    type Error = String;
    fn try_from(text: String) -> Result<LogFormat, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!(
                "{text:?} is not a log format (\"text\" or \"json\")"
            )),
        }
    }
}

/// What approving a device, a QR sign-in or a pairing asks of the person on top of being
/// signed in (`approval_proof`, and per client `usher client ... --approval-proof`;
/// `web::fresh_proof` applies it, docs/factors.md#approval-proof).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String", into = "String")]
pub enum ApprovalProof {
    /// Nothing: being signed in is enough.
    None,
    /// The password again once the sign-in is older than `approval_max_session_age_secs`
    /// (a fresh passkey assertion also does).
    Password,
    /// A fresh user-verified passkey assertion for every approval; an account without a
    /// passkey cannot approve.
    Passkey,
    /// `passkey` when the account has a passkey, else `password`.
    #[default]
    Any,
}

impl ApprovalProof {
    pub const NAMES: &[&str] = &["none", "password", "passkey", "any"];

    pub const fn as_str(self) -> &'static str {
        match self {
            ApprovalProof::None => "none",
            ApprovalProof::Password => "password",
            ApprovalProof::Passkey => "passkey",
            ApprovalProof::Any => "any",
        }
    }

    pub fn parse(text: &str) -> Option<ApprovalProof> {
        match text {
            "none" => Some(ApprovalProof::None),
            "password" => Some(ApprovalProof::Password),
            "passkey" => Some(ApprovalProof::Passkey),
            "any" => Some(ApprovalProof::Any),
            _ => None,
        }
    }
}

impl TryFrom<String> for ApprovalProof {
    type Error = String;
    fn try_from(text: String) -> Result<ApprovalProof, String> {
        ApprovalProof::parse(text.trim()).ok_or_else(|| {
            format!("{text:?} is not an approval proof (none, password, passkey or any)")
        })
    }
}

impl From<ApprovalProof> for String {
    fn from(proof: ApprovalProof) -> String {
        proof.as_str().to_string()
    }
}

impl std::fmt::Display for ApprovalProof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the management listener (`/metrics`, `/health/live`, `/health/ready`) listens:
/// `management_listen = "127.0.0.1:9090"`, or `"off"` (also an empty value) for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ManagementListen {
    Off,
    On(SocketAddr),
}

impl ManagementListen {
    /// The address to bind, unless switched off.
    pub fn address(self) -> Option<SocketAddr> {
        match self {
            ManagementListen::Off => None,
            ManagementListen::On(address) => Some(address),
        }
    }
}

impl TryFrom<String> for ManagementListen {
    type Error = String;
    fn try_from(text: String) -> Result<ManagementListen, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("off") {
            return Ok(ManagementListen::Off);
        }
        trimmed.parse().map(ManagementListen::On).map_err(|_| {
            format!("{text:?} is not a socket address (such as \"127.0.0.1:9090\") or \"off\"")
        })
    }
}

impl From<ManagementListen> for String {
    fn from(listen: ManagementListen) -> String {
        match listen {
            ManagementListen::Off => "off".into(),
            ManagementListen::On(address) => address.to_string(),
        }
    }
}

/// The extensions beyond the standard protocols, each switched on or off as a whole (as
/// node-oidc-provider's `features`). Off: its routes are not mounted (404), discovery does
/// not advertise it, pages do not link to it and its background work does not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Features {
    /// The live channel of waiting devices: `POST /oauth2/device/events` (SSE) and
    /// `POST /oauth2/device/wait` (long poll), docs/live-handoff.md.
    pub live_channel: bool,
    /// Decision events POSTed to clients' notification endpoints, and the delivery worker.
    pub notifications: bool,
    /// "Sign in with QR code" on the login page of the code flow (`/login/qr`).
    pub qr_sign_in: bool,
    /// "Add a device" pairing codes on the account pages, and `pairing_code` at device
    /// authorization (ignored when off, as any unrecognized parameter: RFC 6749 §3.1).
    pub pairing: bool,
    /// This instance's counters at `GET /metrics` (Prometheus text format).
    pub metrics: bool,
}

impl Default for Features {
    /// Everything on.
    fn default() -> Self {
        Features {
            live_channel: true,
            notifications: true,
            qr_sign_in: true,
            pairing: true,
            metrics: true,
        }
    }
}

/// The configured `key_encryption_key` as text (base64 of 32 bytes), read by
/// `tokens::key_encryption`. Never printed: `Debug` hides it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyEncryptionKeySetting(pub String);

impl KeyEncryptionKeySetting {
    /// Whether the text is what `tokens::key_encryption` accepts: standard or URL-safe
    /// base64 of exactly 32 bytes. Checked when the configuration is read, so a bad value
    /// is listed with the other problems; the reason never repeats the value.
    pub fn check(&self) -> Result<(), String> {
        use base64::{
            Engine,
            engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
        };
        let text = self.0.trim();
        let bytes = STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
            .map_err(|_| "is not base64".to_string())?;
        match bytes.len() {
            32 => Ok(()),
            n => Err(format!("must be 32 bytes (base64), not {n}")),
        }
    }

    /// An empty value counts as unset (`tokens::key_encryption::KeyEncryptionKey::from_setting`).
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for KeyEncryptionKeySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// An IP network (`10.0.0.0/8`, `fd00::/8`) or a single address (`10.0.0.7`, read as /32
/// or /128).
pub fn parse_network(entry: &str) -> Result<IpNet, String> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{entry:?} is not an IP address or network"))
}

/// `trusted_proxies` as text in files and variables, `Vec<IpNet>` in `Config`.
pub(super) mod networks {
    use ipnet::IpNet;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(nets: &[IpNet], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(nets.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
        let entries = Vec::<String>::deserialize(deserializer)?;
        let mut nets = Vec::with_capacity(entries.len());
        let mut bad = Vec::new();
        for entry in &entries {
            match super::parse_network(entry) {
                Ok(net) => nets.push(net),
                Err(why) => bad.push(why),
            }
        }
        match bad.is_empty() {
            true => Ok(nets),
            false => Err(D::Error::custom(bad.join("; "))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_is_kept_exactly_and_compares_as_text() {
        for text in [
            "https://id.example",
            "https://id.example/",
            "http://127.0.0.1:8080/t/",
        ] {
            let issuer = Issuer::parse(text).unwrap();
            assert_eq!(issuer, text);
            assert_eq!(issuer.to_string(), text);
            assert_eq!(String::from(issuer), text);
        }
    }

    #[test]
    fn issuer_must_be_an_http_url_without_query_or_fragment() {
        for issuer in [
            "id.example",
            "/relative",
            "ftp://id.example",
            "https://id.example/?",
            "https://id.example/?a=b",
            "https://id.example/#x",
            "https://user@id.example",
        ] {
            assert!(Issuer::parse(issuer).is_err(), "{issuer}");
        }
        let why = Issuer::parse("https://id.example/?x=1").unwrap_err();
        assert!(why.contains("no query or fragment"), "{why}");
    }

    #[test]
    fn log_format_is_text_or_json_in_any_case() {
        assert_eq!(LogFormat::try_from("json".to_string()), Ok(LogFormat::Json));
        assert_eq!(LogFormat::try_from("JSON".to_string()), Ok(LogFormat::Json));
        assert_eq!(LogFormat::try_from("text".to_string()), Ok(LogFormat::Text));
        let why = LogFormat::try_from("yaml".to_string()).unwrap_err();
        assert!(why.contains("\"yaml\""), "{why}");
    }

    #[test]
    fn management_listen_is_an_address_or_off() {
        let read = |text: &str| ManagementListen::try_from(text.to_string());
        assert_eq!(
            read("127.0.0.1:9090"),
            Ok(ManagementListen::On("127.0.0.1:9090".parse().unwrap()))
        );
        assert_eq!(read("[::1]:9090").unwrap().address().unwrap().port(), 9090);
        assert_eq!(read("off"), Ok(ManagementListen::Off));
        assert_eq!(read("OFF"), Ok(ManagementListen::Off));
        assert_eq!(read(" "), Ok(ManagementListen::Off));
        let why = read("localhost").unwrap_err();
        assert!(why.contains("\"localhost\""), "{why}");
        assert_eq!(String::from(read("off").unwrap()), "off");
        assert_eq!(String::from(read("0.0.0.0:9090").unwrap()), "0.0.0.0:9090");
    }

    #[test]
    fn networks_and_single_addresses_are_read() {
        assert_eq!(
            parse_network("10.0.0.7").unwrap(),
            "10.0.0.7/32".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            parse_network("2001:db8::1").unwrap(),
            "2001:db8::1/128".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            parse_network(" 172.16.0.0/12 ").unwrap(),
            "172.16.0.0/12".parse::<IpNet>().unwrap()
        );
        let why = parse_network("not an ip").unwrap_err();
        assert!(why.contains("\"not an ip\""), "{why}");
    }

    #[test]
    fn key_encryption_key_must_be_base64_of_32_bytes() {
        use base64::{Engine, engine::general_purpose::STANDARD};
        assert!(
            KeyEncryptionKeySetting(STANDARD.encode([7u8; 32]))
                .check()
                .is_ok()
        );
        let short = KeyEncryptionKeySetting(STANDARD.encode([7u8; 16]));
        assert_eq!(
            short.check(),
            Err("must be 32 bytes (base64), not 16".into())
        );
        assert!(
            KeyEncryptionKeySetting("not base64!".into())
                .check()
                .is_err()
        );
        assert!(KeyEncryptionKeySetting("  ".into()).is_empty());
        assert_eq!(format!("{short:?}"), "[redacted]");
    }
}
