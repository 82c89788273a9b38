//! The countdown QR block shared by the QR sign-in page and `/device/display`: the QR code
//! of `verification_uri_complete`, the user code, and a bar of the time left, rendered by
//! the server (`<progress>`) and animated by `static/qr-countdown.js` when scripts run.

use crate::{config::Config, oauth::device::verification_uri_complete, oauth::user_code::UserCode};

#[derive(Debug, Clone)]
pub struct Countdown {
    /// The user code as shown, e.g. `BCDF-GHJK`.
    pub code: String,
    /// Path of the SVG QR code of `link`.
    pub qr_path: String,
    /// `verification_uri_complete`: the one-time approval link the QR code holds.
    pub link: String,
    /// `verification_uri`, to type the code by hand.
    pub verification_uri: String,
    pub seconds_left: i64,
    /// The whole validity period, the bar's maximum.
    pub lifetime: i64,
}

impl Countdown {
    pub fn new(
        config: &Config,
        code: &UserCode,
        created_at: i64,
        expires_at: i64,
        now: i64,
    ) -> Self {
        Countdown {
            code: code.display(),
            qr_path: format!("/device/qr/{}.svg", code.display()),
            link: verification_uri_complete(config, code),
            verification_uri: config.url("/device"),
            seconds_left: (expires_at - now).max(0),
            lifetime: (expires_at - created_at).max(1),
        }
    }

    /// `m:ss`, as the script shows it too.
    pub fn clock(&self) -> String {
        format!("{}:{:02}", self.seconds_left / 60, self.seconds_left % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_as_minutes_and_seconds() {
        let code = UserCode::parse("BCDF-GHJK").expect("valid code");
        let countdown = Countdown::new(&Config::default(), &code, 100, 280, 125);
        assert_eq!(countdown.clock(), "2:35");
        assert_eq!(countdown.lifetime, 180);
        let over = Countdown::new(&Config::default(), &code, 100, 280, 900);
        assert_eq!(over.clock(), "0:00");
        assert_eq!(
            over.link,
            "http://127.0.0.1:8080/device?user_code=BCDF-GHJK"
        );
    }
}
