//! Property tests (proptest) of the parsers that read hostile input first: the OAuth form
//! (`http/form.rs` with `oauth/params.rs`), Basic credentials (`oauth/client_auth.rs`),
//! user codes (`oauth/user_code.rs`) and JWT client assertions (`oauth/client_assertion.rs`).
//! Whatever comes in, they never panic and answer bad input with the RFC 6749 error the
//! endpoint gives (`invalid_request`, `invalid_client`), never `server_error`.

use std::{collections::HashMap, sync::Arc};
use usher::protocol::ClientAuthMethod;

use axum::{
    body::Body,
    extract::{FromRequest, Request},
};
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use proptest::prelude::*;
use usher::{
    clock::ManualClock,
    config::Config,
    error::{ErrorKind, OAuthError},
    http::form::OAuthRequest,
    oauth::{
        client_assertion::{self, ASSERTION_TYPE},
        client_auth::BasicCredentials,
        params::Params,
        user_code::{self, UserCode},
    },
    state::AppState,
    store::Client,
};

use crate::databases;

/// Parameter names whose values are protocol values (not a device's free text).
const PROTOCOL_NAMES: &[&str] = &[
    "client_id",
    "grant_type",
    "device_code",
    "refresh_token",
    "code",
    "redirect_uri",
    "scope",
    "username",
];
/// Free text a device says about itself: only NUL is refused there.
const FREE_TEXT_NAMES: &[&str] = &["device_name", "device_model"];

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs the form extractor on a POST with this body and these headers.
fn extract(
    runtime: &tokio::runtime::Runtime,
    content_type: Option<&str>,
    authorization: Option<&[u8]>,
    body: Vec<u8>,
) -> Result<OAuthRequest, OAuthError> {
    let mut request = Request::post("/oauth2/token");
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(value) = authorization
        && let Ok(value) = axum::http::HeaderValue::from_bytes(value)
    {
        request = request.header("authorization", value);
    }
    let request = request.body(Body::from(body)).unwrap();
    runtime.block_on(OAuthRequest::from_request(request, &()))
}

/// A clean name: printable (no control character), not empty.
fn name() -> impl Strategy<Value = String> {
    "[a-z_]{1,12}|\\PC{1,12}"
}

/// A clean value: printable, possibly empty, any script.
fn value() -> impl Strategy<Value = String> {
    "\\PC{0,40}"
}

/// A control character: C0, DEL or C1.
fn control() -> impl Strategy<Value = char> {
    prop_oneof![
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        Just('\u{7f}'),
        (0x80u32..0xa0).prop_map(|c| char::from_u32(c).unwrap()),
    ]
}

fn insert_at(text: &str, at: usize, c: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    chars[..at]
        .iter()
        .chain(std::iter::once(&c))
        .chain(&chars[at..])
        .collect()
}

fn pairs(map: &HashMap<String, String>) -> Vec<(String, String)> {
    map.iter().map(|(n, v)| (n.clone(), v.clone())).collect()
}

/// Failures are printed with their minimal input, not saved next to the sources.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_form_extractor_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        content_type in proptest::option::of(prop_oneof![
            Just("application/x-www-form-urlencoded".to_string()),
            Just("application/x-www-form-urlencoded; charset=utf-8".to_string()),
            Just("application/json".to_string()),
            "\\PC{0,40}",
        ]),
        authorization in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..80)),
    ) {
        let runtime = runtime();
        match extract(&runtime, content_type.as_deref(), authorization.as_deref(), body) {
            Ok(_) => {}
            Err(err) => prop_assert!(
                matches!(err.kind, ErrorKind::InvalidRequest | ErrorKind::InvalidClient),
                "{err}"
            ),
        }
    }

    #[test]
    fn clean_pairs_round_trip_through_the_form(
        map in proptest::collection::hash_map(name(), value(), 0..8),
    ) {
        let body = serde_urlencoded::to_string(pairs(&map)).unwrap();
        let runtime = runtime();
        let request = extract(
            &runtime,
            Some("application/x-www-form-urlencoded"),
            None,
            body.into_bytes(),
        )
        .unwrap();
        for (name, value) in &map {
            // RFC 6749 §3.1: a parameter sent without a value is omitted.
            let expected = (!value.is_empty()).then_some(value.as_str());
            prop_assert_eq!(request.params.get(name), expected);
        }
    }

    #[test]
    fn a_repeated_name_is_an_invalid_request(
        map in proptest::collection::hash_map(name(), value(), 1..8),
        pick in any::<prop::sample::Index>(),
        again in value(),
    ) {
        let mut pairs = pairs(&map);
        let repeated = pairs[pick.index(pairs.len())].0.clone();
        pairs.push((repeated, again));
        let err = Params::from_pairs(pairs).unwrap_err();
        prop_assert_eq!(err.kind, ErrorKind::InvalidRequest);
    }

    #[test]
    fn a_control_character_in_a_protocol_value_or_any_name_is_an_invalid_request(
        name in prop::sample::select(PROTOCOL_NAMES),
        value in value(),
        at in any::<usize>(),
        c in control(),
        in_name in any::<bool>(),
    ) {
        let pair = if in_name {
            (insert_at(name, at, c), value)
        } else {
            (name.to_string(), insert_at(&value, at, c))
        };
        let err = Params::from_pairs(vec![pair]).unwrap_err();
        prop_assert_eq!(err.kind, ErrorKind::InvalidRequest);
    }

    #[test]
    fn nul_in_a_devices_free_text_is_an_invalid_request(
        name in prop::sample::select(FREE_TEXT_NAMES),
        value in value(),
        at in any::<usize>(),
    ) {
        let err = Params::from_pairs(vec![(name.to_string(), insert_at(&value, at, '\0'))])
            .unwrap_err();
        prop_assert_eq!(err.kind, ErrorKind::InvalidRequest);
    }

    #[test]
    fn basic_parsing_never_panics(header in "\\PC{0,80}|(B|b)asic \\PC{0,80}", raw in ".{0,60}") {
        let encoded = format!("Basic {}", STANDARD.encode(raw.as_bytes()));
        for header in [header, encoded] {
            if let Err(err) = BasicCredentials::parse(&header) {
                prop_assert_eq!(err.kind, ErrorKind::InvalidClient);
            }
        }
    }

    #[test]
    fn urlencoded_basic_credentials_round_trip(id in "\\PC{1,40}", secret in "\\PC{0,60}") {
        // RFC 6749 §2.3.1: each part is form-urlencoded, then the pair is base64'd.
        let escape = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let header = format!("Basic {}", STANDARD.encode(format!("{}:{}", escape(&id), escape(&secret))));
        let credentials = BasicCredentials::parse(&header).unwrap().unwrap();
        prop_assert_eq!(credentials.client_id, id);
        prop_assert_eq!(credentials.client_secret, secret);
    }

    #[test]
    fn basic_credentials_with_a_control_character_are_invalid_client(
        id in "\\PC{1,20}",
        at in any::<usize>(),
        c in control(),
    ) {
        let escape = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let header = format!("Basic {}", STANDARD.encode(format!("{}:secret", escape(&insert_at(&id, at, c)))));
        prop_assert_eq!(BasicCredentials::parse(&header).unwrap_err().kind, ErrorKind::InvalidClient);
    }

    #[test]
    fn user_code_reading_never_panics(typed in ".{0,40}") {
        let normalized = user_code::normalize(&typed);
        if let Some(code) = UserCode::parse(&typed) {
            prop_assert_eq!(code.as_str(), normalized.as_str());
            prop_assert!(code.as_str().is_ascii());
        }
    }

    #[test]
    fn a_shown_code_reads_back_as_itself(code in "[BCDFGHJKLMNPQRSTVWXZ]{8}|[0-9]{6,12}") {
        let code = UserCode::parse(&code).unwrap();
        prop_assert_eq!(user_code::normalize(&code.display()), code.as_str());
        prop_assert_eq!(UserCode::parse(&code.display()), Some(code));
    }

    #[test]
    fn case_dashes_and_spaces_do_not_matter(
        code in "[BCDFGHJKLMNPQRSTVWXZ]{8}|[0-9]{6,12}",
        lower in proptest::collection::vec(any::<bool>(), 12),
        separators in proptest::collection::vec((any::<usize>(), prop::sample::select(vec!['-', ' ', '\t'])), 0..5),
    ) {
        let mut typed: String = code
            .chars()
            .zip(lower.iter().chain(std::iter::repeat(&false)))
            .map(|(c, &lower)| if lower { c.to_ascii_lowercase() } else { c })
            .collect();
        for (at, separator) in separators {
            typed = insert_at(&typed, at, separator);
        }
        prop_assert_eq!(UserCode::parse(&typed), UserCode::parse(&code));
    }
}

/// A JWT-shaped string: three base64url segments, the payload's `sub` chosen by the test.
fn jwt_like() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        Just(r#"{"alg":"ES256","typ":"JWT"}"#.to_string()),
        Just(r#"{"alg":"none"}"#.to_string()),
        Just(r#"{"alg":"HS256","kid":"1"}"#.to_string()),
        "\\PC{0,30}",
    ];
    let subject = prop_oneof![
        Just("jwt-client".to_string()),
        Just("jwt-client\u{0}".to_string()),
        ".{0,20}",
    ];
    let signature = proptest::collection::vec(any::<u8>(), 0..64);
    (header, subject, signature).prop_map(|(header, subject, signature)| {
        let payload = serde_json::json!({
            "iss": subject, "sub": subject, "aud": "http://127.0.0.1", "exp": 4_000_000_000i64,
            "jti": "j",
        });
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload.to_string()),
            URL_SAFE_NO_PAD.encode(signature)
        )
    })
}

/// A server state (no listener) with a `private_key_jwt` client, on `database_url`.
async fn assertion_state(database_url: String) -> AppState {
    let config = Config {
        database_url,
        database_max_connections: 2,
        ..Config::default()
    };
    let state = usher::build_state(config, Arc::new(ManualClock::default()))
        .await
        .unwrap();
    // RFC 7517 Appendix A.1's example P-256 key.
    let jwks = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"1",
        "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
        "y":"4Etl6SRW2YilurN5XfW5VhoN7EvmD3_Ks3OLRGt4mVw"}]}"#;
    let client = Client {
        id: "jwt-client".into(),
        name: "JWT client".into(),
        allowed_scopes: "openid".into(),
        token_endpoint_auth_method: Some(ClientAuthMethod::PrivateKeyJwt),
        jwks: Some(jwks.into()),
        ..Client::default()
    };
    state.db.create_client(&client).await.unwrap();
    state
}

/// Arbitrary and JWT-shaped assertions never authenticate and never fail as
/// `server_error`, on SQLite and (with `USHER_TEST_DATABASE_URL`) PostgreSQL, which
/// cannot compare a `sub` holding NUL.
#[test]
fn arbitrary_client_assertions_are_always_an_error_on_both_databases() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut databases = vec![(
        format!("sqlite://{}/usher.db?mode=rwc", dir.path().display()),
        None,
    )];
    if let Some((admin, schema, url)) =
        runtime.block_on(databases::postgres_schema("usher_properties"))
    {
        databases.push((url, Some((admin, schema))));
    }
    for (database_url, postgres) in databases {
        let state = runtime.block_on(assertion_state(database_url));
        let params = Params::from_pairs(vec![(
            "client_assertion_type".into(),
            ASSERTION_TYPE.into(),
        )])
        .unwrap();
        let strategy = prop_oneof![".{0,200}", jwt_like()];
        proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 200,
            ..config()
        })
        .run(&strategy, |assertion| {
            let result =
                runtime.block_on(client_assertion::authenticate(&state, &assertion, &params));
            match result {
                Ok(client) => panic!("{assertion:?} authenticated {}", client.id),
                Err(err) => prop_assert_eq!(err.kind, ErrorKind::InvalidClient, "{}", err),
            }
            Ok(())
        })
        .unwrap();
        if let Some((admin, schema)) = postgres {
            runtime
                .block_on(sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&admin))
                .unwrap();
        }
    }
}
