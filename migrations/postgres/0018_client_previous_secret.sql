-- `usher client rotate-secret`: the replaced secret (as its SHA-256, like secret_hash) keeps
-- authenticating the client until previous_secret_expires_at (Unix seconds), so its
-- deployments can switch without an outage. NULL: no previous secret.
ALTER TABLE clients ADD COLUMN previous_secret_hash TEXT;
ALTER TABLE clients ADD COLUMN previous_secret_expires_at BIGINT;
