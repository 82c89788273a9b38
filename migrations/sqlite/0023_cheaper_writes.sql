-- One index on user codes instead of two (issue 12): each random-keyed index costs a page
-- written per new device authorization, and on SQLite those pages are most of the cost of
-- the endpoint. The key is (user code, '' while pending, else the row's id): unique among
-- pending codes, as before (RFC 8628 §6.1: short codes must not collide), and its leading
-- column finds every authorization of a code, the most recent first by `created_at`.
DROP INDEX device_authorizations_pending_user_code;
DROP INDEX device_authorizations_user_code;
CREATE UNIQUE INDEX device_authorizations_user_code
    ON device_authorizations (user_code, (CASE WHEN status = 'pending' THEN '' ELSE id END));
