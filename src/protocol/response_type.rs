//! Response types of the authorization endpoint (RFC 6749 §3.1.1, OIDC Core §3).

super::vocabulary! {
    /// The one response type served: the authorization code flow. Others (implicit, hybrid)
    /// are `unsupported_response_type` (RFC 6749 §4.1.2.1); RFC 9700 §2.1.2 advises
    /// against the implicit grant.
    ResponseType, "response type" {
        Code = "code",
    }
}
