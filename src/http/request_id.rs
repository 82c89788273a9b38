//! Request ids (`X-Request-Id`): one per request, in the request's span (so in every log
//! line it causes, text and JSON alike), on every response, and on error pages as
//! "Reference: …", so that what a person reads out can be found in the log.
//!
//! A trusted proxy's id (`trusted_proxies`, `client_addr.rs`) is kept when it is sane:
//! 1–128 visible ASCII characters, one header. Anyone else's is replaced: a client must not
//! choose the id an operator searches for, nor put line breaks or escapes into the log.
//! Otherwise the id is a per-process random prefix and a counter (`7c1f09e2a4d3-1f`):
//! unique across instances with overwhelming probability, and no random draw per request.
//! It is not a secret and proves nothing.

use std::{
    net::SocketAddr,
    sync::{
        Arc, LazyLock,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
};

use axum::{
    extract::ConnectInfo,
    http::{HeaderName, HeaderValue, Request, Response},
};
use tokio::task::futures::TaskLocalFuture;
use tower::{Layer, Service};

use crate::{client_addr::TrustedProxies, tokens::opaque};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id accepted from a proxy.
const MAX_LEN: usize = 128;

tokio::task_local! {
    /// The id of the request this task is serving, for responses built far from the
    /// request (error pages).
    static CURRENT: RequestId;
}

/// A request's id; also in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// The id as text (always visible ASCII, checked when it was made).
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }

    pub fn header_value(&self) -> &HeaderValue {
        &self.0
    }

    /// The id of the request being served on this task, if any.
    pub fn current() -> Option<RequestId> {
        CURRENT.try_with(RequestId::clone).ok()
    }

    /// A proxy's id, if it is one we can log and send back as is.
    fn from_proxy(value: &HeaderValue) -> Option<RequestId> {
        let bytes = value.as_bytes();
        let sane = !bytes.is_empty()
            && bytes.len() <= MAX_LEN
            && bytes.iter().all(|b| b.is_ascii_graphic());
        sane.then(|| RequestId(value.clone()))
    }

    /// A fresh id: the process's prefix, `-`, the counter in hex.
    fn generate() -> RequestId {
        static PREFIX: LazyLock<[u8; 12]> = LazyLock::new(random_prefix);
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut buf = [0u8; 12 + 1 + 16];
        buf[..12].copy_from_slice(&*PREFIX);
        buf[12] = b'-';
        let digits = (64 - n.leading_zeros()).div_ceil(4).max(1) as usize;
        for i in 0..digits {
            buf[13 + i] = HEX[((n >> (4 * (digits - 1 - i))) & 0xf) as usize];
        }
        let value = HeaderValue::from_bytes(&buf[..13 + digits])
            .expect("hex digits and '-' are a valid header value");
        RequestId(value)
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// 48 random bits as hex.
fn random_prefix() -> [u8; 12] {
    let mut bytes = [0u8; 6];
    opaque::fill(&mut bytes);
    let mut prefix = [0u8; 12];
    prefix.copy_from_slice(opaque::hex(&bytes).as_bytes());
    prefix
}

/// Gives each request its id (extension and task-local); outermost of the shared layers,
/// so the request span (`server::request_span`) and every response see it.
#[derive(Clone)]
pub struct RequestIdLayer {
    proxies: Arc<TrustedProxies>,
}

impl RequestIdLayer {
    pub fn new(proxies: Arc<TrustedProxies>) -> RequestIdLayer {
        RequestIdLayer { proxies }
    }
}

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestIds<S>;

    fn layer(&self, inner: S) -> RequestIds<S> {
        RequestIds {
            inner,
            proxies: self.proxies.clone(),
        }
    }
}

#[derive(Clone)]
pub struct RequestIds<S> {
    inner: S,
    proxies: Arc<TrustedProxies>,
}

impl<S, B> Service<Request<B>> for RequestIds<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = TaskLocalFuture<RequestId, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let id = self.choose(&request);
        // Whatever came in is not passed on: the handlers see only the chosen id.
        request.headers_mut().remove(X_REQUEST_ID);
        request.extensions_mut().insert(id.clone());
        CURRENT.scope(id, self.inner.call(request))
    }
}

impl<S> RequestIds<S> {
    fn choose<B>(&self, request: &Request<B>) -> RequestId {
        let from_proxy = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|peer| self.proxies.contains(peer.0.ip()));
        if from_proxy {
            let mut values = request.headers().get_all(X_REQUEST_ID).iter();
            if let (Some(value), None) = (values.next(), values.next())
                && let Some(id) = RequestId::from_proxy(value)
            {
                return id;
            }
        }
        RequestId::generate()
    }
}

/// Sends the id back (a response layer inside [`RequestIdLayer`], where it is current).
pub fn set_response_header<B>(mut response: Response<B>) -> Response<B> {
    if let Ok(value) = CURRENT.try_with(|id| id.0.clone()) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_distinct_and_well_formed() {
        let a = RequestId::generate();
        let b = RequestId::generate();
        assert_ne!(a, b);
        for id in [&a, &b] {
            let (prefix, counter) = id.as_str().split_once('-').unwrap();
            assert_eq!(prefix.len(), 12);
            assert!(!counter.is_empty() && counter.len() <= 16);
            assert!(
                id.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b'-')
            );
        }
        assert_eq!(a.as_str()[..12], b.as_str()[..12]);
    }

    #[test]
    fn proxy_ids_must_be_visible_ascii_and_short() {
        let ok = |s: &str| RequestId::from_proxy(&HeaderValue::from_str(s).unwrap());
        assert_eq!(ok("abc-123_XYZ.=").unwrap().as_str(), "abc-123_XYZ.=");
        assert!(ok(&"a".repeat(128)).is_some());
        assert!(ok(&"a".repeat(129)).is_none());
        assert!(ok("").is_none());
        assert!(ok("a b").is_none());
        assert!(ok("a\tb").is_none());
        let high = HeaderValue::from_bytes("é".as_bytes()).unwrap();
        assert!(RequestId::from_proxy(&high).is_none());
    }
}
