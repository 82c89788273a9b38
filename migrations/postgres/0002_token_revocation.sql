-- Refresh-token rotation (RFC 9700 §4.14.2): a token is used once; a second use is reuse.
ALTER TABLE refresh_tokens ADD COLUMN used_at BIGINT;

-- Access tokens revoked before they expire (RFC 7009). Kept until their expiry.
CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_access_tokens_expires_at ON revoked_access_tokens (expires_at);
