//! Signing keys: one per algorithm generated on first start, persisted in the database
//! (PKCS#8 PEM, encrypted when `key_encryption_key` is set: `key_encryption.rs`), published
//! as a JWKS. Which key signs is decided by time (`schedule.rs`); every stored key verifies,
//! so tokens signed before a rotation stay valid until they expire.

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, Ordering},
    },
};

use aws_lc_rs::{
    digest::{SHA256, digest},
    encoding::AsDer,
    rand::SystemRandom,
    rsa::{KeyPair as RsaKeyPair, KeySize},
    signature::{
        ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair,
        Ed25519KeyPair, KeyPair, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
    },
};
use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{
    EncodingKey,
    jwk::{Jwk, JwkSet, PublicKeyUse},
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::{
    protocol::SigningAlg,
    store::{Database, SigningKey},
    tokens::{
        error::KeyError,
        key_encryption::{self, KeyEncryptionKey},
        schedule,
    },
};

/// A private key parsed (and, for RSA, validated) once when the set is loaded: parsing a
/// 2048-bit RSA key costs more than the signature itself.
enum PrivateKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

impl PrivateKey {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match self {
            PrivateKey::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(|_| KeyError::Sign)?;
                Ok(signature)
            }
            PrivateKey::Ec(pair) => Ok(pair
                .sign(&SystemRandom::new(), message)
                .map_err(|_| KeyError::Sign)?
                .as_ref()
                .to_vec()),
            PrivateKey::Ed(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

struct LoadedKey {
    kid: String,
    alg: SigningAlg,
    private: PrivateKey,
    /// The public half, parsed once, for verifying our own tokens.
    public: ParsedPublicKey,
    /// As published in the JWKS (with `kid` and `use`).
    jwk: Jwk,
}

/// The JOSE header of the tokens we sign (RFC 7515 §4.1), members in the order
/// jsonwebtoken wrote them, so tokens look as they did.
#[derive(Serialize)]
struct SigningHeader<'a> {
    typ: &'a str,
    alg: &'a str,
    kid: &'a str,
}

/// The header members `verify` reads; others are ignored.
#[derive(Deserialize)]
struct ReceivedHeader<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    kid: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    typ: Option<std::borrow::Cow<'a, str>>,
}

/// The registered claims every token we verify must carry (RFC 7519 §4.1.1, §4.1.4).
#[derive(Deserialize)]
struct RequiredClaims<'a> {
    #[serde(borrow)]
    iss: std::borrow::Cow<'a, str>,
    exp: i64,
}

pub struct KeySet {
    /// Every published key, by kid.
    keys: HashMap<String, LoadedKey>,
    /// The rows without their private parts: only the times matter, to pick the signing
    /// key of an algorithm at a given `now`.
    timeline: Vec<SigningKey>,
    /// The algorithm of `sign`: RS256 (OIDC's default) when present.
    default_alg: SigningAlg,
    /// Key ids newest first, for the JWKS order.
    order: Vec<String>,
    jwks: Value,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("kids", &self.order)
            .finish_non_exhaustive()
    }
}

impl KeySet {
    /// Loads the stored keys, first adding a key for every `SigningAlg` that
    /// has none, so the JWKS publishes each before any token is signed with it. With a
    /// key-encryption key, plain rows are sealed first; a sealed row that does not open
    /// (wrong or missing key) is an error that names the setting.
    pub async fn load_or_generate(
        store: &Database,
        kek: Option<&KeyEncryptionKey>,
        now: i64,
    ) -> Result<KeySet, KeyError> {
        if let Some(kek) = kek {
            key_encryption::seal_plain_keys(store, kek).await?;
        }
        let stored = store.list_keys().await?;
        for &alg in SigningAlg::ALL {
            if stored.iter().any(|key| key.alg == alg.as_str()) {
                continue;
            }
            let key = generate_signing_key(alg, now)?;
            // Instances starting together: one insert wins, the others use its key (read
            // below), so no algorithm ends up with two keys that both sign.
            if !store
                .create_first_key(&key_encryption::protect(kek, &key)?)
                .await?
            {
                tracing::debug!(%alg, "another instance added the first key");
            }
        }
        KeySet::from_stored(&store.list_keys().await?, kek)
    }

    /// Builds a key set from rows as stored (plain or sealed), newest first.
    pub fn from_stored(
        keys: &[SigningKey],
        kek: Option<&KeyEncryptionKey>,
    ) -> Result<KeySet, KeyError> {
        let plain = keys
            .iter()
            .map(|key| key_encryption::reveal(kek, key))
            .collect::<Result<Vec<_>, _>>()?;
        KeySet::from_keys(&plain)
    }

    /// Builds a key set from plain keys, newest first.
    pub fn from_keys(keys: &[SigningKey]) -> Result<KeySet, KeyError> {
        let mut set = KeySet {
            keys: HashMap::new(),
            timeline: Vec::new(),
            default_alg: SigningAlg::RS256,
            order: Vec::new(),
            jwks: Value::Null,
        };
        let mut jwks = JwkSet { keys: Vec::new() };
        let mut algs = Vec::new();
        for key in keys {
            let loaded = load(key)?;
            algs.push(loaded.alg);
            jwks.keys.push(loaded.jwk.clone());
            set.order.push(loaded.kid.clone());
            set.keys.insert(loaded.kid.clone(), loaded);
            set.timeline.push(SigningKey {
                private_pem: String::new(),
                ..key.clone()
            });
        }
        set.default_alg = if algs.contains(&SigningAlg::RS256) {
            SigningAlg::RS256
        } else {
            *algs.first().ok_or(KeyError::Generate)?
        };
        set.jwks = serde_json::to_value(&jwks).map_err(|_| KeyError::Generate)?;
        Ok(set)
    }

    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// The key id that signs `alg` at `now` (see `schedule::signing_key_at`).
    pub fn signing_kid(&self, alg: SigningAlg, now: i64) -> Option<&str> {
        schedule::signing_key_at(&self.timeline, alg.as_str(), now).map(|key| key.kid.as_str())
    }

    /// Signs `claims` with the default algorithm's key at `now`; `typ` is the JWS `typ`
    /// header (`JWT`, `at+jwt`, `secevent+jwt`).
    pub fn sign<C: Serialize>(&self, typ: &str, claims: &C, now: i64) -> Result<String, KeyError> {
        self.sign_with(self.default_alg, typ, claims, now)
    }

    /// Signs with the key of `alg` (a client's registered algorithm) that signs at `now`.
    pub fn sign_with<C: Serialize>(
        &self,
        alg: SigningAlg,
        typ: &str,
        claims: &C,
        now: i64,
    ) -> Result<String, KeyError> {
        let kid = self
            .signing_kid(alg, now)
            .ok_or_else(|| KeyError::UnsupportedAlgorithm(alg.to_string()))?;
        self.sign_with_kid(kid, typ, claims)
    }

    fn sign_with_kid<C: Serialize>(
        &self,
        kid: &str,
        typ: &str,
        claims: &C,
    ) -> Result<String, KeyError> {
        let key = self.keys.get(kid).ok_or(KeyError::Sign)?;
        // JWS compact serialization (RFC 7515 §7.1): header.payload.signature, each
        // base64url without padding; the signature covers the first two as sent.
        let header = serde_json::to_vec(&SigningHeader {
            typ,
            alg: key.alg.as_str(),
            kid: &key.kid,
        })
        .map_err(|_| KeyError::Sign)?;
        let payload = serde_json::to_vec(claims).map_err(|_| KeyError::Sign)?;
        let mut token = String::with_capacity(
            (header.len() + payload.len()) * 4 / 3 + 2 * key.signature_len() + 8,
        );
        URL_SAFE_NO_PAD.encode_string(&header, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let signature = key.private.sign(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(token)
    }

    /// Verifies a token we signed: known `kid`, signature, `typ`, `iss`, and `exp` against
    /// `now` (the injected clock, so tests can move time).
    pub fn verify<C: DeserializeOwned>(
        &self,
        token: &str,
        expected_typ: &str,
        issuer: &str,
        now: i64,
    ) -> Result<C, KeyError> {
        let malformed = || KeyError::Invalid("malformed");
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        // What the signature covers: the first two parts as sent (RFC 7515 §5.2).
        let signed = &token[..header.len() + 1 + payload.len()];
        let header_json = URL_SAFE_NO_PAD.decode(header).map_err(|_| malformed())?;
        let header: ReceivedHeader<'_> =
            serde_json::from_slice(&header_json).map_err(|_| malformed())?;
        let kid = header.kid.as_deref().ok_or(KeyError::Invalid("no kid"))?;
        let key = self.key(kid).ok_or(KeyError::UnknownKey)?;
        if SigningAlg::parse(&header.alg) != Some(key.alg) {
            return Err(KeyError::Invalid("algorithm mismatch"));
        }
        if !header
            .typ
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(expected_typ))
        {
            return Err(KeyError::Invalid("wrong token type"));
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| malformed())?;
        key.public
            .verify_sig(signed.as_bytes(), &signature)
            .map_err(|_| KeyError::Invalid("signature"))?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| malformed())?;
        let required: RequiredClaims<'_> =
            serde_json::from_slice(&payload).map_err(|_| KeyError::Invalid("no exp or iss"))?;
        if required.iss != issuer {
            return Err(KeyError::Invalid("issuer"));
        }
        // RFC 7519 §2 NumericDate: seconds since the epoch, never negative here.
        if required.exp < 0 {
            return Err(KeyError::Invalid("exp"));
        }
        if required.exp <= now {
            return Err(KeyError::Invalid("expired"));
        }
        serde_json::from_slice(&payload).map_err(|_| KeyError::Invalid("claims"))
    }

    /// Whether `kid` is one of this set's keys.
    pub fn knows(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    /// Ids of every key in the set, newest first.
    pub fn kids(&self) -> Vec<String> {
        self.order.clone()
    }

    /// Like `verify`, but an expired token is accepted: for `id_token_hint` at logout (OIDC
    /// RP-Initiated Logout §2), where the hint is usually an old ID token.
    pub fn verify_ignoring_expiry<C: DeserializeOwned>(
        &self,
        token: &str,
        expected_typ: &str,
        issuer: &str,
    ) -> Result<C, KeyError> {
        self.verify(token, expected_typ, issuer, i64::MIN)
    }

    fn key(&self, kid: &str) -> Option<&LoadedKey> {
        self.keys.get(kid)
    }
}

/// The key set in use. Replaced when keys are rotated: `usher keys rotate` writes to the
/// database and every instance reloads in its maintenance task.
#[derive(Debug)]
pub struct Keys {
    set: RwLock<Arc<KeySet>>,
    last_reload: AtomicI64,
    /// Seals new keys and opens stored ones (`key_encryption_key`).
    encryption: Option<KeyEncryptionKey>,
}

impl Keys {
    pub fn new(set: KeySet, encryption: Option<KeyEncryptionKey>) -> Keys {
        Keys {
            set: RwLock::new(Arc::new(set)),
            last_reload: AtomicI64::new(i64::MIN),
            encryption,
        }
    }

    pub fn encryption(&self) -> Option<&KeyEncryptionKey> {
        self.encryption.as_ref()
    }

    /// Claims the right to reload now if the last claim is `every` seconds old.
    pub fn may_reload(&self, now: i64, every: i64) -> bool {
        let last = self.last_reload.load(Ordering::Relaxed);
        now.saturating_sub(last) >= every
            && self
                .last_reload
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }

    /// The current set; cheap (one reference count), so callers take it per request.
    pub fn current(&self) -> Arc<KeySet> {
        self.set.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn replace(&self, set: KeySet) {
        *self.set.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(set);
    }

    /// Rebuilds the set from rows as stored.
    pub fn replace_from_stored(&self, keys: &[SigningKey]) -> Result<(), KeyError> {
        self.replace(KeySet::from_stored(keys, self.encryption())?);
        Ok(())
    }
}

/// The `kid` a compact JWS names in its header, unverified: which key to look for.
pub fn header_kid(token: &str) -> Option<String> {
    let header = URL_SAFE_NO_PAD.decode(token.split('.').next()?).ok()?;
    let header: ReceivedHeader<'_> = serde_json::from_slice(&header).ok()?;
    header.kid.map(std::borrow::Cow::into_owned)
}

/// A new key pair for `alg`, ready to store; it signs from `now` unless the caller sets
/// `activates_at` later.
pub fn generate_signing_key(alg: SigningAlg, now: i64) -> Result<SigningKey, KeyError> {
    let der: Vec<u8> = match alg {
        SigningAlg::RS256 => {
            let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
            let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> =
                pair.as_der().map_err(|_| KeyError::Generate)?;
            der.as_ref().to_vec()
        }
        SigningAlg::ES256 => {
            let pair = aws_lc_rs::signature::EcdsaKeyPair::generate(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            )
            .map_err(|_| KeyError::Generate)?;
            pair.to_pkcs8v1()
                .map_err(|_| KeyError::Generate)?
                .as_ref()
                .to_vec()
        }
        SigningAlg::EdDSA => {
            let pair =
                aws_lc_rs::signature::Ed25519KeyPair::generate().map_err(|_| KeyError::Generate)?;
            pair.to_pkcs8v1()
                .map_err(|_| KeyError::Generate)?
                .as_ref()
                .to_vec()
        }
    };
    let private_pem = pem("PRIVATE KEY", &der);
    let loaded = load(&SigningKey {
        kid: String::new(),
        alg: alg.as_str().into(),
        private_pem: private_pem.clone(),
        created_at: now,
        activates_at: now,
    })?;
    // kid: a digest of the public key, so the same key always has the same id.
    let public = serde_json::to_vec(&loaded.jwk.algorithm).map_err(|_| KeyError::Generate)?;
    let kid = URL_SAFE_NO_PAD.encode(&digest(&SHA256, &public).as_ref()[..16]);
    Ok(SigningKey {
        kid,
        alg: alg.as_str().into(),
        private_pem,
        created_at: now,
        activates_at: now,
    })
}

fn load(key: &SigningKey) -> Result<LoadedKey, KeyError> {
    let bad = || KeyError::BadKey(key.kid.clone());
    let pem = key.private_pem.as_bytes();
    let alg = SigningAlg::parse(&key.alg)
        .ok_or_else(|| KeyError::UnsupportedAlgorithm(key.alg.clone()))?;
    // jsonwebtoken reads the PEM (and gives the JWK); the DER it keeps is what its aws-lc
    // backend parsed on every signature, parsed here once instead.
    let encoding = match alg {
        SigningAlg::RS256 => EncodingKey::from_rsa_pem(pem),
        SigningAlg::ES256 => EncodingKey::from_ec_pem(pem),
        SigningAlg::EdDSA => EncodingKey::from_ed_pem(pem),
    }
    .map_err(|_| bad())?;
    let der = encoding.as_bytes();
    let (private, public) = match alg {
        SigningAlg::RS256 => {
            let pair = RsaKeyPair::from_der(der).map_err(|_| bad())?;
            let public = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key())
                .map_err(|_| bad())?;
            (PrivateKey::Rsa(pair), public)
        }
        SigningAlg::ES256 => {
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                .map_err(|_| bad())?;
            let public = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, pair.public_key())
                .map_err(|_| bad())?;
            (PrivateKey::Ec(pair), public)
        }
        SigningAlg::EdDSA => {
            let pair = Ed25519KeyPair::from_pkcs8(der).map_err(|_| bad())?;
            let public = ParsedPublicKey::new(&ED25519, pair.public_key()).map_err(|_| bad())?;
            (PrivateKey::Ed(pair), public)
        }
    };
    let mut jwk = Jwk::from_encoding_key(&encoding, alg.into()).map_err(|_| bad())?;
    jwk.common.key_id = Some(key.kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    Ok(LoadedKey {
        kid: key.kid.clone(),
        alg,
        private,
        public,
        jwk,
    })
}

impl LoadedKey {
    fn signature_len(&self) -> usize {
        match &self.private {
            PrivateKey::Rsa(pair) => pair.public_modulus_len(),
            PrivateKey::Ec(_) | PrivateKey::Ed(_) => 64,
        }
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn set(alg: SigningAlg) -> KeySet {
        KeySet::from_keys(&[generate_signing_key(alg, 0).unwrap()]).unwrap()
    }

    #[test]
    fn every_algorithm_signs_and_verifies() {
        for &alg in SigningAlg::ALL {
            let keys = set(alg);
            let token = keys
                .sign(
                    "JWT",
                    &json!({"iss": "https://i", "exp": 100, "sub": "u"}),
                    0,
                )
                .unwrap();
            let claims: Value = keys.verify(&token, "JWT", "https://i", 50).unwrap();
            assert_eq!(claims["sub"], "u", "{alg}");
            assert_eq!(
                keys.jwks()["keys"][0]["kid"],
                keys.signing_kid(alg, 0).unwrap()
            );
        }
    }

    /// Tokens are what jsonwebtoken wrote before keys were parsed once: byte for byte for the
    /// deterministic algorithms (RS256 is PKCS#1 v1.5, EdDSA is deterministic), and
    /// verifiable by jsonwebtoken with the published JWK for all of them.
    #[test]
    fn tokens_match_what_jsonwebtoken_writes() {
        for &alg in SigningAlg::ALL {
            let stored = generate_signing_key(alg, 0).unwrap();
            let keys = KeySet::from_keys(std::slice::from_ref(&stored)).unwrap();
            let claims = json!({"iss": "https://i", "exp": 100, "sub": "ü \"x\""});
            let ours = keys.sign("at+jwt", &claims, 0).unwrap();

            let pem = stored.private_pem.as_bytes();
            let encoding = match alg {
                SigningAlg::RS256 => EncodingKey::from_rsa_pem(pem),
                SigningAlg::ES256 => EncodingKey::from_ec_pem(pem),
                SigningAlg::EdDSA => EncodingKey::from_ed_pem(pem),
            }
            .unwrap();
            let mut header = jsonwebtoken::Header::new(alg.into());
            header.kid = Some(stored.kid.clone());
            header.typ = Some("at+jwt".into());
            let theirs = jsonwebtoken::encode(&header, &claims, &encoding).unwrap();
            if alg == SigningAlg::ES256 {
                let prefix = |t: &str| t.rsplit_once('.').unwrap().0.to_string();
                assert_eq!(prefix(&ours), prefix(&theirs));
            } else {
                assert_eq!(ours, theirs, "{alg}");
            }

            let jwk: Jwk = serde_json::from_value(keys.jwks()["keys"][0].clone()).unwrap();
            let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
            let mut validation = jsonwebtoken::Validation::new(alg.into());
            validation.validate_exp = false;
            validation.validate_aud = false;
            let decoded = jsonwebtoken::decode::<Value>(&ours, &decoding, &validation).unwrap();
            assert_eq!(decoded.claims, claims, "{alg}");
            assert_eq!(decoded.header.kid.as_deref(), Some(stored.kid.as_str()));
            // And ours verifies theirs.
            let back: Value = keys.verify(&theirs, "at+jwt", "https://i", 50).unwrap();
            assert_eq!(back, claims, "{alg}");
        }
    }

    #[test]
    fn verification_rejects_what_it_should() {
        let keys = set(SigningAlg::RS256);
        let token = keys
            .sign("at+jwt", &json!({"iss": "https://i", "exp": 100}), 0)
            .unwrap();
        assert!(
            keys.verify::<Value>(&token, "JWT", "https://i", 50)
                .is_err(),
            "typ"
        );
        assert!(
            keys.verify::<Value>(&token, "at+jwt", "https://other", 50)
                .is_err(),
            "iss"
        );
        assert!(
            keys.verify::<Value>(&token, "at+jwt", "https://i", 100)
                .is_err(),
            "exp"
        );
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'A');
        assert!(
            keys.verify::<Value>(&tampered, "at+jwt", "https://i", 50)
                .is_err(),
            "signature"
        );
        let other = set(SigningAlg::RS256);
        assert!(
            other
                .verify::<Value>(&token, "at+jwt", "https://i", 50)
                .is_err(),
            "unknown kid"
        );
        let (signed, signature) = token.rsplit_once('.').unwrap();
        for (bad, why) in [
            (signed.to_string(), "two parts"),
            (format!("{token}.x"), "four parts"),
            (format!("{signed}.%%%"), "signature not base64url"),
            (format!("{signed}."), "empty signature"),
            (
                format!("e30.{}", token.split_once('.').unwrap().1),
                "header without kid",
            ),
        ] {
            assert!(
                keys.verify::<Value>(&bad, "at+jwt", "https://i", 50)
                    .is_err(),
                "{why}"
            );
        }
        // A header that names another algorithm for the same key.
        let header = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&json!({"typ": "at+jwt", "alg": "ES256",
                "kid": keys.signing_kid(SigningAlg::RS256, 0).unwrap()}))
            .unwrap(),
        );
        let rest = token.split_once('.').unwrap().1;
        assert!(
            keys.verify::<Value>(&format!("{header}.{rest}"), "at+jwt", "https://i", 50)
                .is_err(),
            "alg"
        );
        // Signed by us, but without exp, without iss or with a negative exp.
        for claims in [
            json!({"iss": "https://i"}),
            json!({"exp": 100}),
            json!({"iss": "https://i", "exp": 1.5}),
            json!({"iss": "https://i", "exp": -1}),
        ] {
            let token = keys.sign("at+jwt", &claims, 0).unwrap();
            assert!(
                keys.verify_ignoring_expiry::<Value>(&token, "at+jwt", "https://i")
                    .is_err(),
                "{claims}"
            );
        }
        assert!(signature.len() > 300, "a 2048-bit RSA signature");
    }
}
