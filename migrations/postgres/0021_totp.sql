-- Two-step verification (issue 13, docs/factors.md): one TOTP authenticator (RFC 6238) per
-- account and its one-time recovery codes.
--
-- The TOTP secret must be recoverable to compute codes, so it cannot be hashed: `secret` is
-- sealed with the key-encryption key when one is configured (`enc:v1:` prefix, associated
-- data naming the user) and base32 otherwise. `confirmed_at` is NULL until the person has
-- typed one right code; only a confirmed row is a factor. `last_step` is the last accepted
-- 30-second step: a code is accepted only for a later step (RFC 6238 §5.2, no replay).
CREATE TABLE totp_factors (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_used_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0
);

-- Recovery codes: only the SHA-256 of user id and code (`tokens::opaque::hash`); each is
-- used once (`used_at`).
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
