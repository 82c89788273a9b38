-- More device metadata for the consent page (display only; sanitised and length-limited
-- before it is stored).
ALTER TABLE device_authorizations ADD COLUMN device_os TEXT;
ALTER TABLE device_authorizations ADD COLUMN device_app_version TEXT;

-- Per-client user-code format (docs/device-experience.md): 'letters' (8 of a 20-letter
-- alphabet, XXXX-XXXX) or 'digits' (user_code_length digits, at least 6; NULL means 9).
ALTER TABLE clients ADD COLUMN user_code_format TEXT NOT NULL DEFAULT 'letters';
ALTER TABLE clients ADD COLUMN user_code_length INTEGER;
