//! The scopes this server knows (RFC 6749 §3.3, OIDC Core §5.4, §11).

super::vocabulary! {
    /// `openid` asks for an ID token, `offline_access` for a refresh token (OIDC Core §11),
    /// `profile`/`email` for claims (§5.4).
    Scope, "scope" {
        OpenId = "openid",
        Profile = "profile",
        Email = "email",
        OfflineAccess = "offline_access",
    }
}
