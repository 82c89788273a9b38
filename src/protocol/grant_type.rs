//! Grant types served at the token endpoint (RFC 6749 §4.1.3, §6; RFC 8628 §3.4).

super::vocabulary! {
    /// A grant type this server serves; anything else is `unsupported_grant_type`
    /// (RFC 6749 §5.2). Discovery lists them in this order.
    GrantType, "grant type" {
        /// RFC 8628 §3.4.
        DeviceCode = "urn:ietf:params:oauth:grant-type:device_code",
        /// RFC 6749 §4.1.3.
        AuthorizationCode = "authorization_code",
        /// RFC 6749 §6.
        RefreshToken = "refresh_token",
    }
}
