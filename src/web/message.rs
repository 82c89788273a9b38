//! A page with one message and a way back (to `/device` unless said): results and errors alike.

use askama::Template;
use askama_web::WebTemplate;

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
    pub title: &'static str,
    pub text: &'static str,
    /// Label of the link back.
    pub action: &'static str,
    /// Where the link goes: `/device`, or "Your devices" from the account pages.
    pub href: &'static str,
}

impl MessagePage {
    pub fn approved() -> MessagePage {
        MessagePage {
            tone: Tone::Success,
            title: "Device signed in",
            text: "You're signed in on your device. You can go back to your TV.",
            action: "Sign in another device",
            href: "/device",
        }
    }

    pub fn denied() -> MessagePage {
        MessagePage {
            tone: Tone::Info,
            title: "Request denied",
            text: "Request denied. The device was not signed in.",
            action: "Enter another code",
            href: "/device",
        }
    }

    pub fn signed_out() -> MessagePage {
        MessagePage {
            tone: Tone::Info,
            title: "Signed out",
            text: "You are signed out of Usher on this browser.",
            action: "Sign in a device",
            href: "/device",
        }
    }
}
