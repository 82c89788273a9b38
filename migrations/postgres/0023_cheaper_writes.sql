-- One index on user codes instead of two (issue 12): each random-keyed index costs a page
-- written per new device authorization, and on SQLite those pages are most of the cost of
-- the endpoint. The key is (user code, '' while pending, else the row's id): unique among
-- pending codes, as before (RFC 8628 §6.1: short codes must not collide), and its leading
-- column finds every authorization of a code, the most recent first by `created_at`.
DROP INDEX device_authorizations_pending_user_code;
DROP INDEX device_authorizations_user_code;
CREATE UNIQUE INDEX device_authorizations_user_code
    ON device_authorizations (user_code, (CASE WHEN status = 'pending' THEN '' ELSE id END));

-- A redemption's sealed answer (base64 of the token response, about 2.5 KB) made its row
-- longer than PostgreSQL's default 2 KB TOAST threshold, so every rotation compressed it
-- (in vain: it is ciphertext) and wrote it to the TOAST table and its index. Rows up to
-- 4 KB now stay whole in the table's own page.
ALTER TABLE refresh_tokens SET (toast_tuple_target = 4080);
ALTER TABLE device_authorizations SET (toast_tuple_target = 4080);
ALTER TABLE authorization_codes SET (toast_tuple_target = 4080);
