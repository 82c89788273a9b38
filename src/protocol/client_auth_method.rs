//! Client authentication methods (RFC 6749 §2.3, OIDC Core §9, RFC 7591 §2).

super::vocabulary! {
    /// How a client authenticates at the token, revocation and introspection endpoints.
    ClientAuthMethod, "client authentication method" {
        /// A public client: it only names itself.
        None = "none",
        /// The secret in an `Authorization: Basic` header (RFC 6749 §2.3.1).
        ClientSecretBasic = "client_secret_basic",
        /// The secret in the form body (RFC 6749 §2.3.1).
        ClientSecretPost = "client_secret_post",
        /// A JWT signed with a registered key (RFC 7523 §2.2).
        PrivateKeyJwt = "private_key_jwt",
    }
}

impl ClientAuthMethod {
    /// Whether the method proves who the client is (all but `none`).
    pub const fn authenticates(self) -> bool {
        !matches!(self, ClientAuthMethod::None)
    }
}
