-- The audit log (docs/audit.md): one row per security event (sign-ins, device decisions,
-- sign-outs, revoked token families, changes to clients, users and keys). No foreign keys:
-- a row outlives the user or client it names. `device` and `detail` are JSON text; nothing
-- secret (password, code, token) is ever written. The id orders events within a second.
-- The maintenance task deletes rows older than `audit_retention_days`.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    user_id TEXT,
    client_id TEXT,
    ip TEXT,
    device TEXT,
    detail TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_user_at ON audit_events (user_id, at);
CREATE INDEX audit_events_client_at ON audit_events (client_id, at);
