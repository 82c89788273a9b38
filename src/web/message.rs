//! A page with one message and a way on (to `/device` unless said): results and errors
//! alike. Every page says what happened and what to do next, with a link that can work
//! (docs/device-experience.md, "Messages and errors").

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;

use crate::store::DeviceAuthorization;

/// How a message page looks (the colour of its badge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Success,
    Info,
    Problem,
}

impl Tone {
    pub fn class(&self) -> &'static str {
        match self {
            Tone::Success => "success",
            Tone::Info => "info",
            Tone::Problem => "problem",
        }
    }
}

#[derive(Debug, Clone, Template, WebTemplate)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub tone: Tone,
    /// Catalogue ids (`locales/*/messages.ftl`, or the area of the page that built it),
    /// put in the page's language by the template. Something that is not an id shows as
    /// it is (`i18n::text`).
    pub title: &'static str,
    pub text: &'static str,
    /// Label of the link on (an id too; empty: no link).
    pub action: &'static str,
    /// Where the link goes: `/device`, or "Your devices" from the account pages.
    pub href: &'static str,
    /// How long to wait before trying again ("8 minutes", already in the page's language:
    /// `duration_words::minutes_up`), when that is the next step.
    pub wait: Option<String>,
}

/// What was signed in by an approval, for the words of the success page: where the
/// person should look next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovedWhat {
    /// A waiting browser's "Sign in with QR code" (`oauth::qr_login`).
    OtherBrowser,
    /// A command-line client in a terminal.
    Terminal,
    /// A device that says it is a TV.
    Tv,
    /// Any other device (console, speaker, kiosk, app).
    Device,
}

/// User-Agent prefixes of command-line clients: Usher's own, and the HTTP tools people
/// script the device grant with.
const TERMINAL_AGENTS: &[&str] = &[
    "usher-cli/",
    "curl/",
    "wget/",
    "httpie/",
    "python-requests/",
    "python-httpx/",
    "go-http-client/",
    "oauth2c/",
];

/// Words in a device's model, name or system that say it is a TV.
const TV_WORDS: &[&str] = &[
    "tv",
    "tvos",
    "tizen",
    "webos",
    "roku",
    "fire tv",
    "chromecast",
    "bravia",
];

impl ApprovedWhat {
    /// From what the device said about itself. Self-reported, so it only chooses the
    /// wording of the page shown to the person who approved, never anything else: a device
    /// that lies about being a terminal gets told to "go back to your terminal", nothing more.
    pub fn of(auth: &DeviceAuthorization) -> ApprovedWhat {
        if crate::oauth::qr_login::is_browser_sign_in(auth) {
            return ApprovedWhat::OtherBrowser;
        }
        let device = &auth.device;
        let agent = device.user_agent.as_deref().unwrap_or_default();
        let model = device.model.as_deref().unwrap_or_default();
        let agent = agent.to_ascii_lowercase();
        if model.eq_ignore_ascii_case("usher-cli")
            || TERMINAL_AGENTS
                .iter()
                .any(|prefix| agent.starts_with(prefix))
        {
            return ApprovedWhat::Terminal;
        }
        let described = [&device.model, &device.name, &device.os]
            .into_iter()
            .flatten()
            .map(|v| v.to_lowercase())
            .collect::<Vec<_>>();
        let says_tv = described.iter().any(|value| {
            value
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| TV_WORDS.contains(&word))
                || TV_WORDS
                    .iter()
                    .any(|w| w.contains(' ') && value.contains(w))
        });
        match says_tv {
            true => ApprovedWhat::Tv,
            false => ApprovedWhat::Device,
        }
    }
}

impl MessagePage {
    fn new(tone: Tone, title: &'static str, text: &'static str) -> MessagePage {
        MessagePage {
            tone,
            title,
            text,
            action: "msg-action-enter-code",
            href: "/device",
            wait: None,
        }
    }

    /// The end of an approval: where to look now depends on what was signed in.
    pub fn approved(what: ApprovedWhat) -> MessagePage {
        let (title, text) = match what {
            ApprovedWhat::OtherBrowser => (
                "msg-approved-other-browser-title",
                "msg-approved-other-browser-text",
            ),
            ApprovedWhat::Terminal => ("msg-approved-terminal-title", "msg-approved-terminal-text"),
            ApprovedWhat::Tv => ("msg-approved-device-title", "msg-approved-tv-text"),
            ApprovedWhat::Device => ("msg-approved-device-title", "msg-approved-device-text"),
        };
        MessagePage {
            action: "msg-action-sign-in-another",
            ..MessagePage::new(Tone::Success, title, text)
        }
    }

    /// The success page for the approved authorization `auth`.
    pub fn approved_for(auth: Option<&DeviceAuthorization>) -> MessagePage {
        MessagePage::approved(auth.map(ApprovedWhat::of).unwrap_or(ApprovedWhat::Device))
    }

    pub fn denied() -> MessagePage {
        MessagePage {
            action: "msg-action-enter-another",
            ..MessagePage::new(Tone::Info, "msg-denied-title", "msg-denied-text")
        }
    }

    pub fn signed_out() -> MessagePage {
        MessagePage {
            action: "msg-action-sign-in-device",
            ..MessagePage::new(Tone::Info, "msg-signed-out-title", "msg-signed-out-text")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AuthorizationPurpose, DeviceInfo};

    fn auth(device: DeviceInfo, purpose: AuthorizationPurpose) -> DeviceAuthorization {
        DeviceAuthorization {
            id: "a".into(),
            device_code_hash: String::new(),
            user_code: "BCDFGHJK".into(),
            client_id: "c".into(),
            scope: "openid".into(),
            purpose,
            state: Default::default(),
            created_at: 0,
            expires_at: 600,
            interval_secs: 5,
            device,
            paired_user_id: None,
            device_token: None,
        }
    }

    fn what(device: DeviceInfo) -> ApprovedWhat {
        ApprovedWhat::of(&auth(device, AuthorizationPurpose::Device))
    }

    #[test]
    fn success_wording_follows_what_was_signed_in() {
        let cli = DeviceInfo {
            user_agent: Some("usher-cli/0.1.0".into()),
            ..Default::default()
        };
        assert_eq!(what(cli), ApprovedWhat::Terminal);
        let curl = DeviceInfo {
            user_agent: Some("curl/8.5.0".into()),
            ..Default::default()
        };
        assert_eq!(what(curl), ApprovedWhat::Terminal);
        let tv = DeviceInfo {
            name: Some("Living-room TV".into()),
            user_agent: Some("Mozilla/5.0 (SMART-TV; Tizen 6.0)".into()),
            ..Default::default()
        };
        assert_eq!(what(tv), ApprovedWhat::Tv);
        let fire = DeviceInfo {
            model: Some("Fire TV Stick".into()),
            ..Default::default()
        };
        assert_eq!(what(fire), ApprovedWhat::Tv);
        // "tv" inside another word is no TV.
        let console = DeviceInfo {
            name: Some("Stvdio console".into()),
            ..Default::default()
        };
        assert_eq!(what(console), ApprovedWhat::Device);
        assert_eq!(what(DeviceInfo::default()), ApprovedWhat::Device);
        let browser = auth(DeviceInfo::default(), AuthorizationPurpose::BrowserSignIn);
        assert_eq!(ApprovedWhat::of(&browser), ApprovedWhat::OtherBrowser);
    }
}
