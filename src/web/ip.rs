//! The key of the user-code guessing budget (RFC 8628 §5.1): the TCP peer address.
//! Forwarding headers are ignored: a guesser could put anything there and get a fresh
//! budget per request.

use std::{
    convert::Infallible,
    net::{IpAddr, SocketAddr},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};

/// The client's address as a budget key. IPv6 clients are keyed by their /64 network, as
/// one subscriber usually holds a whole /64 and could otherwise rotate addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        // Without connection info (a router served without it) everyone shares one budget:
        // stricter, never looser.
        Ok(ClientIp(
            peer.map(budget_key)
                .unwrap_or_else(|| "unknown".to_string()),
        ))
    }
}

fn budget_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_of_one_network_share_a_key() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(budget_key(a), budget_key(b));
        assert_eq!(budget_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
        assert_eq!(budget_key("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
