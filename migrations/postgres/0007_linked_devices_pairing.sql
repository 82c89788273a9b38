-- Linked devices (docs/linked-devices.md): one row per token family, i.e. per sign-in of a
-- device or web app, written when the family's first tokens are issued and updated at each
-- refresh (never while a device polls). The id is the family id, the `fam` claim of every
-- access token of the sign-in, so signing a device out stops its access tokens too.
CREATE TABLE linked_devices (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    grant_type TEXT NOT NULL,
    device_authorization_id TEXT,
    device_name TEXT,
    device_model TEXT,
    device_os TEXT,
    device_app_version TEXT,
    user_agent TEXT,
    scope TEXT NOT NULL,
    linked_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    first_ip TEXT,
    last_ip TEXT,
    -- When the last credential of the family expires; the row is useless after that.
    expires_at BIGINT NOT NULL,
    signed_out_at BIGINT
);
CREATE INDEX linked_devices_user ON linked_devices (user_id);
CREATE INDEX linked_devices_expires_at ON linked_devices (expires_at);

-- Pairing codes: made on a signed-in browser ("Add a device"), used once by the new device
-- at the device authorization endpoint. Stored hashed.
CREATE TABLE pairing_codes (
    id TEXT PRIMARY KEY NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    device_authorization_id TEXT
);
CREATE INDEX pairing_codes_expires_at ON pairing_codes (expires_at);

-- A device authorization started with a pairing code: only this user may decide on it.
ALTER TABLE device_authorizations ADD COLUMN paired_user_id TEXT REFERENCES users(id) ON DELETE CASCADE;
