//! The pages in people's languages, in real Chromium (issue 14, docs/languages.md): the
//! browser's language (Accept-Language) is followed, the switcher's choice beats it and
//! lasts (cookie), Arabic is laid out right to left, and a whole device approval works on a
//! phone in Arabic.

use std::time::Duration;

use fantoccini::ClientBuilder;
use serde_json::{Value, json};
use usher::i18n::{self, Locale};

use super::{Browser, Chrome, Size};
use crate::support::TestServer;

const PASSWORD: &str = "languages test password";

impl Chrome {
    /// A phone-sized browser whose own language is `accept` (`--lang` and the
    /// `intl.accept_languages` preference: what a German Chromium sends).
    async fn browser_in(&self, accept: &str) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let (width, height) = Size::Phone.pixels();
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-dev-shm-usage".to_string(),
            format!("--lang={accept}"),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        let options = json!({ "args": args, "prefs": { "intl.accept_languages": accept } });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::rustls()
            .expect("TLS for the WebDriver client")
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        let browser = Browser {
            client,
            size: Size::Phone,
            _profile: profile,
        };
        browser.fit_viewport(width, height).await;
        browser
    }
}

/// `<html lang>` and `<html dir>` of the page shown.
async fn lang_and_dir(browser: &Browser) -> (String, String) {
    let value = browser
        .client
        .execute(
            "return [document.documentElement.lang, document.documentElement.dir];",
            vec![],
        )
        .await
        .expect("html attributes");
    serde_json::from_value(value).expect("two strings")
}

/// Waits until the page is in `lang` (after a click that navigates).
async fn wait_for_lang(browser: &Browser, lang: &str) {
    let start = std::time::Instant::now();
    loop {
        if lang_and_dir(browser).await.0 == lang {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "page still in {:?}, expected {lang}",
            lang_and_dir(browser).await
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// `element.getBoundingClientRect()` of the first `css` match: (left, right, top, bottom).
async fn rect(browser: &Browser, css: &str) -> (f64, f64, f64, f64) {
    browser.find(css).await;
    let value = browser
        .client
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
             return [r.left, r.right, r.top, r.bottom];",
            vec![json!(css)],
        )
        .await
        .expect("a bounding rectangle");
    serde_json::from_value(value).expect("four numbers")
}

/// Where the text of the first `css` match sits (a Range over its contents), and the box
/// its lines may use (the element's content box): ((left, right), (left, right)).
async fn text_and_box(browser: &Browser, css: &str) -> ((f64, f64), (f64, f64)) {
    let value: Value = browser
        .client
        .execute(
            "const e = document.querySelector(arguments[0]); \
             const range = document.createRange(); range.selectNodeContents(e); \
             const t = range.getBoundingClientRect(); const b = e.getBoundingClientRect(); \
             const s = getComputedStyle(e); \
             return [[t.left, t.right], \
                     [b.left + parseFloat(s.paddingLeft) + parseFloat(s.borderLeftWidth), \
                      b.right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth)]];",
            vec![json!(css)],
        )
        .await
        .expect("text position");
    serde_json::from_value(value).expect("two pairs")
}

#[tokio::test]
async fn the_browsers_language_then_the_switcher_choose_the_pages_language() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start().await;
    let english_title = i18n::text(Locale::En, "device-title");
    let german_title = i18n::text(Locale::De, "device-title");
    let japanese_title = i18n::text(Locale::Ja, "device-title");

    // (a) A German browser gets German pages, with no choice made.
    let browser = chrome.browser_in("de").await;
    browser.goto(&server.url("/device")).await;
    assert_eq!(lang_and_dir(&browser).await, ("de".into(), "ltr".into()));
    let heading = browser.text("h1").await;
    assert_eq!(heading, german_title);
    assert_ne!(
        heading, english_title,
        "a German heading, not the English one"
    );
    let summary = browser.text(".language-switcher summary").await;
    assert!(summary.contains("Deutsch"), "{summary}");

    // (b) The switcher: open it, pick 日本語 (its own name, in Japanese).
    browser.click(".language-switcher summary").await;
    let japanese = browser.find(".language-switcher a[hreflang='ja']").await;
    assert_eq!(japanese.text().await.unwrap(), "日本語");
    japanese.click().await.expect("click 日本語");
    wait_for_lang(&browser, "ja").await;
    browser
        .wait_for_url(&server.url("/device"), Duration::from_secs(5))
        .await;
    assert_eq!(browser.text("h1").await, japanese_title);
    let current = browser
        .find(".language-switcher a[aria-current='true']")
        .await
        .attr("hreflang")
        .await
        .unwrap();
    assert_eq!(current.as_deref(), Some("ja"));
    // The choice lasts: a new page load, still Japanese over the browser's German.
    browser.goto(&server.url("/login")).await;
    assert_eq!(lang_and_dir(&browser).await.0, "ja");
    browser.goto(&server.url("/device")).await;
    assert_eq!(browser.text("h1").await, japanese_title);
    browser.screenshots("languages-switched-to-ja").await;
    browser.close().await;

    // A browser in a language Usher does not speak: English.
    let browser = chrome.browser_in("pt-BR").await;
    browser.goto(&server.url("/device")).await;
    assert_eq!(lang_and_dir(&browser).await.0, "en");
    assert_eq!(browser.text("h1").await, english_title);
    browser.close().await;
}

#[tokio::test]
async fn arabic_pages_run_right_to_left_and_a_device_is_approved_in_arabic() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start().await;
    server
        .create_public_client("tv", "Living Room TV app", "openid profile")
        .await;
    server.create_user("layla", PASSWORD).await;
    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .header("X-Device-Name", "Living-room TV")
        .form(&[("client_id", "tv"), ("scope", "openid profile")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let auth: Value = response.json().await.unwrap();
    let user_code = auth["user_code"].as_str().unwrap();

    // (c) An Arabic browser: right to left, and the layout mirrored.
    let phone = chrome.browser_in("ar").await;
    phone.goto(&server.url("/device")).await;
    assert_eq!(lang_and_dir(&phone).await, ("ar".into(), "rtl".into()));
    assert_eq!(
        phone.text("h1").await,
        i18n::text(Locale::Ar, "device-title")
    );
    let brand = rect(&phone, ".brand").await;
    let switcher = rect(&phone, ".language-switcher summary").await;
    assert!(
        switcher.1 <= brand.0,
        "the switcher is left of the brand in Arabic: switcher {switcher:?}, brand {brand:?}"
    );
    let main = rect(&phone, "main").await;
    assert!(
        (brand.1 - main.1).abs() <= 1.0,
        "the brand ends at the card's right edge: {brand:?} {main:?}"
    );
    // Headings and labels start at the right.
    for css in ["h1", "label[for=user_code]"] {
        let (text, content) = text_and_box(&phone, css).await;
        assert!(
            (content.1 - text.1).abs() <= 2.0 && text.0 - content.0 > 2.0,
            "{css}: text {text:?} hugs the right of {content:?}"
        );
    }
    // The code stays left to right.
    let direction = phone
        .client
        .execute(
            "return getComputedStyle(document.querySelector('#user_code')).direction;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(direction, json!("ltr"));
    // Its switcher list opens towards the page (inline end = left in Arabic) and stays
    // on screen.
    phone.click(".language-switcher summary").await;
    let list = rect(&phone, ".language-switcher ul").await;
    assert!(
        list.0 >= 0.0 && list.1 <= 390.0,
        "switcher list on screen: {list:?}"
    );
    phone.click(".language-switcher summary").await;
    phone.screenshots("languages-ar-device").await;

    // The same page in English for comparison: the switcher on the right.
    let english = chrome.browser_in("en").await;
    english.goto(&server.url("/device")).await;
    let brand = rect(&english, ".brand").await;
    let switcher = rect(&english, ".language-switcher summary").await;
    assert!(switcher.0 >= brand.1, "{switcher:?} {brand:?}");
    english.close().await;

    // (d) The whole approval at 390×844 in Arabic: the QR link, sign-in, consent, success.
    phone
        .goto(auth["verification_uri_complete"].as_str().unwrap())
        .await;
    assert_eq!(lang_and_dir(&phone).await.1, "rtl");
    let shown = phone.find("#user_code").await.prop("value").await.unwrap();
    assert_eq!(shown.as_deref(), Some(user_code));
    phone
        .click("form[action='/device'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&server.url("/login"), Duration::from_secs(5))
        .await;
    assert_eq!(lang_and_dir(&phone).await, ("ar".into(), "rtl".into()));
    phone.screenshots("languages-ar-login").await;
    phone.fill("#username", "layla").await;
    phone.fill("#password", PASSWORD).await;
    phone
        .click("form[action='/login'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&server.url("/device/consent"), Duration::from_secs(5))
        .await;
    assert_eq!(lang_and_dir(&phone).await, ("ar".into(), "rtl".into()));
    // The device's own name and the code are shown as sent, untranslated.
    let page = phone.text("main").await;
    assert!(page.contains("Living-room TV"), "{page}");
    assert!(page.contains(user_code), "{page}");
    phone.screenshots("languages-ar-consent").await;
    phone.click("button[value=approve]").await;
    let success = i18n::text(Locale::Ar, "msg-approved-device-title");
    assert_ne!(success, i18n::text(Locale::En, "msg-approved-device-title"));
    phone
        .wait_for_heading(&success, Duration::from_secs(5))
        .await;
    assert_eq!(lang_and_dir(&phone).await, ("ar".into(), "rtl".into()));
    phone.screenshots("languages-ar-approved").await;
    server
        .clock
        .advance_secs(auth["interval"].as_i64().unwrap());
    let (status, tokens) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "{tokens}");
    phone.close().await;
}
