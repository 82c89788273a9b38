-- Live hand-off (docs/live-handoff.md): where a client wants decision events, the device's
-- push token passed on in them, and the durable outbox of events still to deliver.
ALTER TABLE clients ADD COLUMN notification_endpoint TEXT;
ALTER TABLE device_authorizations ADD COLUMN device_token TEXT;

CREATE TABLE notification_outbox (
    -- Also the event's `jti` (RFC 8417 §2.2), the same on every retry.
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    event TEXT NOT NULL,
    device_authorization_id TEXT NOT NULL,
    subject TEXT,
    device_token TEXT,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    -- A worker's lease; a crashed worker's rows become claimable again when it ends.
    claimed_until_ms INTEGER,
    delivered_at INTEGER,
    failed_at INTEGER,
    last_error TEXT
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at_ms)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
