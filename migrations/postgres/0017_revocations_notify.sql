-- Changes that can stop an access token send NOTIFY usher_revocations
-- (store::REVOCATIONS_CHANNEL) in the transaction that makes them, whoever writes (a
-- server, `usher user disable` or `usher devices revoke` in another process, a
-- hand-written statement): a revoked access token, a refresh family revoked, a linked
-- device signed out, a user changed or deleted. The notification is delivered on commit
-- (and dropped on rollback; identical ones of a transaction are sent once), and every
-- instance drops the access tokens it answers userinfo for from memory
-- (src/oauth/token_view.rs).
--
-- No version row as on SQLite: every instance listens, and one row bumped by every
-- revocation would make concurrent revocations wait for each other's commit.
-- Deleting expired rows (sweep) is not announced: it cannot stop a token that was good.
CREATE FUNCTION usher_revocations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('usher_revocations', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER revocations_access_token AFTER INSERT ON revoked_access_tokens
    FOR EACH ROW EXECUTE FUNCTION usher_revocations_changed();
CREATE TRIGGER revocations_refresh_family AFTER UPDATE OF revoked_at ON refresh_tokens
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION usher_revocations_changed();
CREATE TRIGGER revocations_sign_out AFTER UPDATE OF signed_out_at ON linked_devices
    FOR EACH ROW WHEN (OLD.signed_out_at IS NULL AND NEW.signed_out_at IS NOT NULL)
    EXECUTE FUNCTION usher_revocations_changed();
CREATE TRIGGER revocations_user AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION usher_revocations_changed();
