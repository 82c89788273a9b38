-- Guessing budgets shared by every instance (docs/security.md): one row per budget key
-- (a SHA-256 of "budget:subject", so typed usernames, which may be passwords, and client
-- addresses are not kept in clear). A row counts the attempts of its current window; it is
-- written with a compare-and-swap on (count, last_at, window_start), so concurrent attempts on
-- several instances are each counted. The maintenance task deletes rows past `expires_at`.
CREATE TABLE attempt_counters (
    key TEXT PRIMARY KEY NOT NULL,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX attempt_counters_expires_at ON attempt_counters (expires_at);
