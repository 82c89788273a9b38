-- A counter of changes that can stop an access token, bumped by triggers in the same
-- transaction as the change, whoever writes (a server, `usher user disable` or `usher
-- devices revoke` in another process, a hand-written statement): a revoked access token,
-- a refresh family revoked, a linked device signed out, a user changed or deleted. A
-- running server compares it about once a second and drops the access tokens it answers
-- userinfo for from memory when it moved (src/oauth/token_view.rs).
--
-- Deleting expired rows (sweep) is not counted: it cannot stop a token that was good.
CREATE TABLE revocations_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO revocations_version (id, version) VALUES (1, 0);
CREATE TRIGGER revocations_version_access_token AFTER INSERT ON revoked_access_tokens
BEGIN
    UPDATE revocations_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER revocations_version_refresh_family AFTER UPDATE OF revoked_at ON refresh_tokens
    WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
BEGIN
    UPDATE revocations_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER revocations_version_sign_out AFTER UPDATE OF signed_out_at ON linked_devices
    WHEN OLD.signed_out_at IS NULL AND NEW.signed_out_at IS NOT NULL
BEGIN
    UPDATE revocations_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER revocations_version_user_update AFTER UPDATE ON users
BEGIN
    UPDATE revocations_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER revocations_version_user_delete AFTER DELETE ON users
BEGIN
    UPDATE revocations_version SET version = version + 1 WHERE id = 1;
END;
