-- Browser sessions keyed by the SHA-256 of the cookie's session id (src/store/sessions.rs):
-- read access to the database is no longer a live session. The account signed in is a
-- column, so a password change or a disabled account ends that account's sessions.
-- Sessions of the old table (tower-sessions' own, ids in clear) are dropped: people sign
-- in again.
DROP TABLE IF EXISTS tower_sessions.session;
CREATE TABLE browser_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX browser_sessions_user ON browser_sessions (user_id);
CREATE INDEX browser_sessions_expires_at ON browser_sessions (expires_at);
