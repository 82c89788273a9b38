//! The client's IP address: recorded with device requests, compared on the consent page,
//! and the key of the guessing budgets (RFC 8628 §5.1).
//!
//! It is the TCP peer address, unless the peer is one of the configured `trusted_proxies`:
//! then it is the right-most address of `X-Forwarded-For` that is not a trusted proxy (the
//! entries to its left were written by the client itself and prove nothing). Forwarding
//! headers from anyone else are ignored: a guesser could put anything there and get a
//! fresh budget per request.
//!
//! Used by both `http/` and `web/`, so it sits below them; the extractors ask the router's
//! state only for the [`TrustedProxies`] (`FromRef`), not for `AppState`.

use std::{
    convert::Infallible,
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, FromRef, FromRequestParts},
    http::{HeaderMap, request::Parts},
};
use ipnet::IpNet;

/// The reverse proxies whose `X-Forwarded-For` is believed (`trusted_proxies`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// The configured networks (`Config::trusted_proxies`, parsed and checked when the
    /// configuration is read).
    pub fn new(networks: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(networks)
    }

    /// Whether `ip` is one of the trusted proxies (also asked by `http::request_id`).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`, given the request's forwarding headers.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.contains(client) {
            return client;
        }
        // All X-Forwarded-For headers in order form one list (RFC 7230 §3.2.2).
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for entry in forwarded.iter().rev() {
            // An unreadable entry ends the walk at the proxy that passed it on: shared by
            // everyone behind that proxy, so stricter, never looser.
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            client = canonical(ip);
            if !self.contains(client) {
                break;
            }
        }
        client
    }
}

/// The client's address, if the server was run with connection info (it always is by
/// `usher::serve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    Arc<TrustedProxies>: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let proxies = Arc::<TrustedProxies>::from_ref(state);
        Ok(ClientAddr(
            peer.map(|peer| proxies.client_address(peer, &parts.headers)),
        ))
    }
}

/// The client's address as a budget key. IPv6 clients are keyed by their /64 network, as
/// one subscriber usually holds a whole /64 and could otherwise rotate addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    Arc<TrustedProxies>: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let ClientAddr(addr) = ClientAddr::from_request_parts(parts, state).await?;
        // Without connection info (a router served without it) everyone shares one budget:
        // stricter, never looser.
        Ok(ClientIp(
            addr.map(budget_key)
                .unwrap_or_else(|| "unknown".to_string()),
        ))
    }
}

/// The network an address belongs to: the IPv4 address itself, or the IPv6 /64.
pub fn budget_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// Whether two addresses are on different networks (different IPv4 address, or different
/// IPv6 /64), for the consent page's warning.
pub fn different_network(a: IpAddr, b: IpAddr) -> bool {
    budget_key(a) != budget_key(b)
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.7`, from dual-stack sockets) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn ipv6_addresses_of_one_network_share_a_key() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(budget_key(a), budget_key(b));
        assert!(!different_network(a, b));
        assert!(different_network(a, ip("2001:db8:1:3::1")));
        assert!(different_network(ip("192.0.2.7"), ip("192.0.2.8")));
        assert_eq!(budget_key(ip("192.0.2.7")), "192.0.2.7");
        assert_eq!(budget_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies::new(vec![
            "10.0.0.1/32".parse().unwrap(),
            "172.16.0.0/12".parse().unwrap(),
        ]);
        let headers = forwarded(&["198.51.100.9, 203.0.113.5", "172.16.3.4"]);
        // From a trusted proxy: the right-most untrusted entry, not the client's own claim.
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &headers),
            ip("203.0.113.5")
        );
        // From anyone else: the peer.
        assert_eq!(
            proxies.client_address(ip("192.0.2.1"), &headers),
            ip("192.0.2.1")
        );
        // No header: the proxy itself.
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        // Garbage ends the walk at the last proxy.
        let garbage = forwarded(&["203.0.113.5, nonsense"]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &garbage),
            ip("10.0.0.1")
        );
        // Nothing trusted by default.
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_address(ip("10.0.0.1"), &headers),
            ip("10.0.0.1")
        );
        // A bad entry never gets here: `config::parse_network` refuses it at start.
    }
}
