-- What a device authorization is for, as a column (src/store/models.rs AuthorizationPurpose):
-- 'device' (RFC 8628, redeemed at the token endpoint) or 'browser_sign_in' ("Sign in with
-- QR code"). Browser sign-ins were marked by a 'browser-sign-in:' prefix in
-- device_code_hash; those hashes stay as they are (random, never a presented code's).
ALTER TABLE device_authorizations ADD COLUMN purpose TEXT NOT NULL DEFAULT 'device'
    CHECK (purpose IN ('device', 'browser_sign_in'));
UPDATE device_authorizations SET purpose = 'browser_sign_in'
    WHERE substr(device_code_hash, 1, 16) = 'browser-sign-in:';
