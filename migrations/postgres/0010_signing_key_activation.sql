-- Pre-published rotation (OIDC Core §10.1.1): a key is in the JWKS from the moment it is
-- stored but signs only from activates_at, so relying parties holding a cached JWKS know it
-- before they meet it. Keys from before this column signed from their creation.
ALTER TABLE signing_keys ADD COLUMN activates_at BIGINT NOT NULL DEFAULT 0;
UPDATE signing_keys SET activates_at = created_at;

-- The key a server start makes for an algorithm that has none. At most one per algorithm,
-- so instances starting together on one database cannot each add a signing key: the
-- loser's insert fails and it uses the winner's key.
ALTER TABLE signing_keys ADD COLUMN first_of_alg INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX signing_keys_first_of_alg ON signing_keys (alg) WHERE first_of_alg = 1;
