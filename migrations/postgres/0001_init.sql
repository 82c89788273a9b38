-- Usher schema (PostgreSQL). Timestamps are Unix seconds; lists are space-separated text.
CREATE TABLE clients (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT,
    allowed_scopes TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    redirect_uris TEXT NOT NULL DEFAULT '',
    device_code_lifetime_secs BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    -- Lower-cased username: sign-in is case-insensitive and names are unique regardless of case.
    username_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name TEXT,
    email TEXT,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE device_authorizations (
    id TEXT PRIMARY KEY NOT NULL,
    device_code_hash TEXT NOT NULL UNIQUE,
    user_code TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    interval_secs BIGINT NOT NULL,
    device_name TEXT,
    device_model TEXT,
    device_ip TEXT,
    device_user_agent TEXT,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    auth_time BIGINT,
    amr TEXT,
    decided_at BIGINT
);
-- Two pending authorizations never share a user code (RFC 8628 §6.1 codes are short).
CREATE UNIQUE INDEX device_authorizations_pending_user_code
    ON device_authorizations (user_code) WHERE status = 'pending';
CREATE INDEX device_authorizations_user_code ON device_authorizations (user_code, created_at);
CREATE INDEX device_authorizations_expires_at ON device_authorizations (expires_at);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    family_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    device_authorization_id TEXT,
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    alg TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
