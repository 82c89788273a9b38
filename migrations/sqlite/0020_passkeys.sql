-- Passkeys (WebAuthn credentials, docs/factors.md). `id` is the credential id (base64url,
-- unpadded), unique across accounts (WebAuthn §7.1 step 22: a credential id registered to
-- another account is refused). `credential` is webauthn-rs's `Passkey` as JSON: the public
-- key, its algorithm, counter and backup flags; nothing in it is secret. `sign_count` is
-- the authenticator's signature counter after the last use (WebAuthn §6.1.1), kept as a
-- column so a counter that went backwards is refused in one conditional UPDATE.
CREATE TABLE passkeys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential TEXT NOT NULL,
    backup_eligible BOOLEAN NOT NULL DEFAULT 0,
    sign_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
