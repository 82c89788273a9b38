//! Device metadata of a device authorization request (docs/device-experience.md): the
//! `X-Device-Name`, `X-Device-Model`, `X-Device-OS` and `X-Device-App-Version` headers, or
//! the form parameters `device_name`, `device_model`, `device_os`, `device_app_version`
//! (a header wins), plus the request's address and User-Agent.
//!
//! All of it except the address is what the device says about itself: it is cleaned and
//! bounded here and then only ever displayed, never used for a decision.

use std::net::IpAddr;

use axum::http::HeaderMap;

use crate::{oauth::params::Params, store::DeviceInfo};

/// Longest name, model, OS or app version kept, in characters; longer values are cut.
pub const MAX_VALUE_CHARS: usize = 64;
/// Longest User-Agent kept, in characters.
pub const MAX_USER_AGENT_CHARS: usize = 256;

pub fn from_request(headers: &HeaderMap, params: &Params, ip: Option<IpAddr>) -> DeviceInfo {
    let pick = |header: &str, param: &str, max: usize| {
        headers
            .get(header)
            // UTF-8 is allowed in the headers ("Küche"), not only visible ASCII.
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .or_else(|| params.get(param))
            .map(|v| clean(v, max))
            .filter(|v| !v.is_empty())
    };
    DeviceInfo {
        name: pick("x-device-name", "device_name", MAX_VALUE_CHARS),
        model: pick("x-device-model", "device_model", MAX_VALUE_CHARS),
        os: pick("x-device-os", "device_os", MAX_VALUE_CHARS),
        app_version: pick(
            "x-device-app-version",
            "device_app_version",
            MAX_VALUE_CHARS,
        ),
        ip: ip.map(|ip| ip.to_string()),
        user_agent: user_agent(headers),
    }
}

/// The request's `User-Agent`, cleaned like the other metadata.
pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get("user-agent")
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .map(|v| clean(v, MAX_USER_AGENT_CHARS))
        .filter(|v| !v.is_empty())
}

/// Printable text only: control characters and invisible formatting characters (which can
/// reverse or hide text on the consent page) are dropped, runs of white space become one
/// space, and the length is bounded.
pub fn clean(value: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in value.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c.is_control() || is_invisible_format(c) {
            continue;
        }
        let needed = 1 + usize::from(pending_space);
        if count + needed > max_chars {
            break;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        count += needed;
    }
    out
}

/// Unicode format characters that change how the surrounding text looks: bidirectional
/// overrides and isolates, zero-width characters, the soft hyphen, the byte-order mark.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cleaned_and_bounded() {
        assert_eq!(clean("  Living\troom \n TV  ", 64), "Living room TV");
        assert_eq!(
            clean("Evil\u{202E}moc.elgoog\u{0007}", 64),
            "Evilmoc.elgoog"
        );
        assert_eq!(clean("Küche\u{200B}", 64), "Küche");
        assert_eq!(clean(&"x".repeat(500), 64).chars().count(), 64);
        assert_eq!(clean("ab cd", 3), "ab");
        assert_eq!(clean("\u{0000}\u{001B}[31m", 64), "[31m");
    }

    #[test]
    fn headers_win_over_form_parameters() {
        let mut headers = HeaderMap::new();
        headers.insert("x-device-os", "tvOS 18".parse().unwrap());
        headers.insert("user-agent", "tv/1.0".parse().unwrap());
        let params = Params::from_pairs(vec![
            ("device_os".into(), "ignored".into()),
            ("device_app_version".into(), "2.4.1".into()),
            ("device_name".into(), "   ".into()),
        ])
        .unwrap();
        let info = from_request(&headers, &params, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(info.os.as_deref(), Some("tvOS 18"));
        assert_eq!(info.app_version.as_deref(), Some("2.4.1"));
        assert_eq!(info.name, None);
        assert_eq!(info.ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(info.user_agent.as_deref(), Some("tv/1.0"));
    }
}
