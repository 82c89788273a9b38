-- Per-client settings: signing algorithm, token lifetimes, logo, authentication method.
ALTER TABLE clients ADD COLUMN signing_alg TEXT NOT NULL DEFAULT 'RS256';
ALTER TABLE clients ADD COLUMN access_token_lifetime_secs BIGINT;
ALTER TABLE clients ADD COLUMN id_token_lifetime_secs BIGINT;
ALTER TABLE clients ADD COLUMN refresh_token_lifetime_secs BIGINT;
ALTER TABLE clients ADD COLUMN logo_uri TEXT;
-- NULL: derived (a secret means client_secret_basic/post, none means a public client).
ALTER TABLE clients ADD COLUMN token_endpoint_auth_method TEXT;
-- The client's public keys (a JWKS document) for private_key_jwt (RFC 7523).
ALTER TABLE clients ADD COLUMN jwks TEXT;

-- jti values of client assertions already accepted, until they expire (replay protection).
CREATE TABLE client_assertion_jtis (
    client_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX client_assertion_jtis_expires_at ON client_assertion_jtis (expires_at);
