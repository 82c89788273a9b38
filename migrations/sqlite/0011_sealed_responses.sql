-- Redemption without loss (docs/integration.md, "Retries"): the token response of a
-- redemption, AES-256-GCM sealed under a key derived from the code or refresh token that
-- was presented (which the database does not hold), kept until `sealed_until` so a client
-- that lost the answer can fetch the same one again. Wiped after the window.
ALTER TABLE device_authorizations ADD COLUMN sealed_response TEXT;
ALTER TABLE device_authorizations ADD COLUMN sealed_until INTEGER;
ALTER TABLE authorization_codes ADD COLUMN sealed_response TEXT;
ALTER TABLE authorization_codes ADD COLUMN sealed_until INTEGER;
ALTER TABLE refresh_tokens ADD COLUMN sealed_response TEXT;
ALTER TABLE refresh_tokens ADD COLUMN sealed_until INTEGER;
-- The wipe finds the few rows still holding an answer without scanning the tables.
CREATE INDEX device_authorizations_sealed_until ON device_authorizations (sealed_until)
    WHERE sealed_until IS NOT NULL;
CREATE INDEX authorization_codes_sealed_until ON authorization_codes (sealed_until)
    WHERE sealed_until IS NOT NULL;
CREATE INDEX refresh_tokens_sealed_until ON refresh_tokens (sealed_until)
    WHERE sealed_until IS NOT NULL;
