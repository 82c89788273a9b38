//! Signing keys: generated on first start, persisted in the database (PKCS#8 PEM, encrypted
//! when `key_encryption_key` is set: `key_encryption.rs`), published as a JWKS. The newest
//! key signs; every stored key verifies, so tokens signed before a
//! rotation stay valid until they expire.

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, Ordering},
    },
};

use aws_lc_rs::{
    encoding::AsDer,
    rsa::{KeyPair as RsaKeyPair, KeySize},
};
use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation,
    jwk::{Jwk, JwkSet, PublicKeyUse},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    error::StoreError,
    store::{KeyStore, SigningKey},
    tokens::key_encryption::{self, KeyEncryptionKey},
};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("key generation failed")]
    Generate,
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    #[error("stored key {0} is unusable")]
    BadKey(String),
    #[error("token rejected: {0}")]
    Invalid(&'static str),
    #[error("signing failed")]
    Sign,
    #[error("{0}")]
    Encryption(String),
}

struct LoadedKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

pub struct KeySet {
    /// Every published key, by kid.
    keys: HashMap<String, LoadedKey>,
    /// The signing key of each algorithm: its newest key.
    active: HashMap<Algorithm, String>,
    /// The key of the default algorithm (RS256, OIDC's default), or the newest key.
    default_kid: String,
    /// Key ids newest first, for the JWKS order.
    order: Vec<String>,
    jwks: Value,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("default", &self.default_kid)
            .finish_non_exhaustive()
    }
}

impl KeySet {
    /// Loads the stored keys; on first start generates an RS256 key and stores it. With a
    /// key-encryption key, plain rows are sealed first; a sealed row that does not open
    /// (wrong or missing key) is an error that names the setting.
    pub async fn load_or_generate(
        store: &dyn KeyStore,
        kek: Option<&KeyEncryptionKey>,
        now: i64,
    ) -> Result<KeySet, KeyError> {
        let mut keys = store.list_keys().await?;
        if keys.is_empty() {
            let key = generate_signing_key("RS256", now)?;
            // Two instances starting at once may both insert; each keeps its own key and
            // both are published, so either one's tokens verify everywhere after a reload.
            store
                .create_key(&key_encryption::protect(kek, &key)?)
                .await?;
            keys = store.list_keys().await?;
        } else if let Some(kek) = kek
            && key_encryption::seal_plain_keys(store, kek).await? > 0
        {
            keys = store.list_keys().await?;
        }
        KeySet::from_stored(&keys, kek)
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
            active: HashMap::new(),
            default_kid: String::new(),
            order: Vec::new(),
            jwks: Value::Null,
        };
        let mut jwks = JwkSet { keys: Vec::new() };
        for key in keys {
            let loaded = load(key)?;
            jwks.keys.push(public_jwk(&loaded)?);
            set.active
                .entry(loaded.alg)
                .or_insert_with(|| loaded.kid.clone());
            set.order.push(loaded.kid.clone());
            set.keys.insert(loaded.kid.clone(), loaded);
        }
        set.default_kid = set
            .active
            .get(&Algorithm::RS256)
            .or_else(|| set.order.first())
            .cloned()
            .ok_or(KeyError::Generate)?;
        set.jwks = serde_json::to_value(&jwks).map_err(|_| KeyError::Generate)?;
        Ok(set)
    }

    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// JWS algorithm of the default signing key.
    pub fn active_alg(&self) -> String {
        self.keys
            .get(&self.default_kid)
            .map(|k| alg_name(k.alg))
            .unwrap_or_default()
    }

    /// Every algorithm of a published key, the default one first.
    pub fn algorithms(&self) -> Vec<String> {
        let mut algs = vec![self.active_alg()];
        for alg in self.active.keys().map(|alg| alg_name(*alg)) {
            if !algs.contains(&alg) {
                algs.push(alg);
            }
        }
        algs
    }

    /// Whether a key of this algorithm exists to sign with.
    pub fn has_algorithm(&self, alg: &str) -> bool {
        parse_alg(alg).is_some_and(|alg| self.active.contains_key(&alg))
    }

    /// Signs `claims` with the default key; `typ` is the JWS `typ` header (`JWT`, `at+jwt`).
    pub fn sign<C: Serialize>(&self, typ: &str, claims: &C) -> Result<String, KeyError> {
        self.sign_with_kid(&self.default_kid, typ, claims)
    }

    /// Signs with the active key of `alg` (a client's registered algorithm).
    pub fn sign_with<C: Serialize>(
        &self,
        alg: &str,
        typ: &str,
        claims: &C,
    ) -> Result<String, KeyError> {
        let kid = parse_alg(alg)
            .and_then(|alg| self.active.get(&alg))
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
        let mut header = Header::new(key.alg);
        header.kid = Some(key.kid.clone());
        header.typ = Some(typ.to_string());
        jsonwebtoken::encode(&header, claims, &key.encoding).map_err(|_| KeyError::Sign)
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
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| KeyError::Invalid("malformed"))?;
        let kid = header.kid.as_deref().ok_or(KeyError::Invalid("no kid"))?;
        let key = self.key(kid).ok_or(KeyError::Invalid("unknown key"))?;
        if header.alg != key.alg {
            return Err(KeyError::Invalid("algorithm mismatch"));
        }
        if !header
            .typ
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(expected_typ))
        {
            return Err(KeyError::Invalid("wrong token type"));
        }
        let mut validation = Validation::new(key.alg);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
        validation.set_issuer(&[issuer]);
        let data = jsonwebtoken::decode::<Value>(token, &key.decoding, &validation)
            .map_err(|_| KeyError::Invalid("signature or issuer"))?;
        let exp = data
            .claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(KeyError::Invalid("no exp"))?;
        if exp <= now {
            return Err(KeyError::Invalid("expired"));
        }
        serde_json::from_value(data.claims).map_err(|_| KeyError::Invalid("claims"))
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

/// Keys that no longer sign and whose every token has expired: retired (a newer key of the
/// same algorithm exists) more than `keep_secs` ago. The newest key of each algorithm is
/// never prunable.
pub fn prunable(keys: &[SigningKey], now: i64, keep_secs: i64) -> Vec<String> {
    keys.iter()
        .filter(|key| {
            let retired_at = keys
                .iter()
                .filter(|other| other.alg == key.alg && other.created_at > key.created_at)
                .map(|other| other.created_at)
                .min();
            retired_at.is_some_and(|at| at + keep_secs < now)
        })
        .map(|key| key.kid.clone())
        .collect()
}

/// A new key pair for `alg` (`RS256`, `ES256` or `EdDSA`), ready to store.
pub fn generate_signing_key(alg: &str, now: i64) -> Result<SigningKey, KeyError> {
    let der: Vec<u8> = match alg {
        "RS256" => {
            let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
            let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> =
                pair.as_der().map_err(|_| KeyError::Generate)?;
            der.as_ref().to_vec()
        }
        "ES256" => {
            let pair = aws_lc_rs::signature::EcdsaKeyPair::generate(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            )
            .map_err(|_| KeyError::Generate)?;
            pair.to_pkcs8v1()
                .map_err(|_| KeyError::Generate)?
                .as_ref()
                .to_vec()
        }
        "EdDSA" => {
            let pair =
                aws_lc_rs::signature::Ed25519KeyPair::generate().map_err(|_| KeyError::Generate)?;
            pair.to_pkcs8v1()
                .map_err(|_| KeyError::Generate)?
                .as_ref()
                .to_vec()
        }
        other => return Err(KeyError::UnsupportedAlgorithm(other.to_string())),
    };
    let private_pem = pem("PRIVATE KEY", &der);
    let loaded = load(&SigningKey {
        kid: String::new(),
        alg: alg.into(),
        private_pem: private_pem.clone(),
        created_at: now,
    })?;
    // kid: a digest of the public key, so the same key always has the same id.
    let public =
        serde_json::to_vec(&public_jwk(&loaded)?.algorithm).map_err(|_| KeyError::Generate)?;
    let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&public)[..16]);
    Ok(SigningKey {
        kid,
        alg: alg.into(),
        private_pem,
        created_at: now,
    })
}

fn load(key: &SigningKey) -> Result<LoadedKey, KeyError> {
    let bad = || KeyError::BadKey(key.kid.clone());
    let pem = key.private_pem.as_bytes();
    let (alg, encoding) = match key.alg.as_str() {
        "RS256" => (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(pem).map_err(|_| bad())?,
        ),
        "ES256" => (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(pem).map_err(|_| bad())?,
        ),
        "EdDSA" => (
            Algorithm::EdDSA,
            EncodingKey::from_ed_pem(pem).map_err(|_| bad())?,
        ),
        other => return Err(KeyError::UnsupportedAlgorithm(other.to_string())),
    };
    let jwk = Jwk::from_encoding_key(&encoding, alg).map_err(|_| bad())?;
    let decoding = DecodingKey::from_jwk(&jwk).map_err(|_| bad())?;
    Ok(LoadedKey {
        kid: key.kid.clone(),
        alg,
        encoding,
        decoding,
    })
}

fn public_jwk(key: &LoadedKey) -> Result<Jwk, KeyError> {
    let mut jwk = Jwk::from_encoding_key(&key.encoding, key.alg)
        .map_err(|_| KeyError::BadKey(key.kid.clone()))?;
    jwk.common.key_id = Some(key.kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    Ok(jwk)
}

fn parse_alg(alg: &str) -> Option<Algorithm> {
    match alg {
        "RS256" => Some(Algorithm::RS256),
        "ES256" => Some(Algorithm::ES256),
        "EdDSA" => Some(Algorithm::EdDSA),
        _ => None,
    }
}

fn alg_name(alg: Algorithm) -> String {
    match alg {
        Algorithm::EdDSA => "EdDSA".into(),
        other => format!("{other:?}"),
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

    fn set(alg: &str) -> KeySet {
        KeySet::from_keys(&[generate_signing_key(alg, 0).unwrap()]).unwrap()
    }

    #[test]
    fn every_algorithm_signs_and_verifies() {
        for alg in ["RS256", "ES256", "EdDSA"] {
            let keys = set(alg);
            let token = keys
                .sign("JWT", &json!({"iss": "https://i", "exp": 100, "sub": "u"}))
                .unwrap();
            let claims: Value = keys.verify(&token, "JWT", "https://i", 50).unwrap();
            assert_eq!(claims["sub"], "u", "{alg}");
            assert_eq!(keys.jwks()["keys"][0]["kid"], keys.default_kid.as_str());
        }
    }

    #[test]
    fn only_keys_retired_longer_than_the_token_lifetime_are_prunable() {
        let key = |kid: &str, alg: &str, at| SigningKey {
            kid: kid.into(),
            alg: alg.into(),
            private_pem: String::new(),
            created_at: at,
        };
        let keys = [
            key("rs-1", "RS256", 0),
            key("rs-2", "RS256", 100),
            key("rs-3", "RS256", 200),
            key("es-1", "ES256", 0),
        ];
        assert_eq!(prunable(&keys, 150, 60), Vec::<String>::new());
        assert_eq!(prunable(&keys, 161, 60), vec!["rs-1".to_string()]);
        assert_eq!(
            prunable(&keys, 10_000, 60),
            vec!["rs-1".to_string(), "rs-2".to_string()]
        );
    }

    #[test]
    fn verification_rejects_what_it_should() {
        let keys = set("RS256");
        let token = keys
            .sign("at+jwt", &json!({"iss": "https://i", "exp": 100}))
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
        let other = set("RS256");
        assert!(
            other
                .verify::<Value>(&token, "at+jwt", "https://i", 50)
                .is_err(),
            "unknown kid"
        );
    }
}
