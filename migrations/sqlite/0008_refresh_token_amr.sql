-- How the person signed in (OIDC `amr`, space-separated), carried to ID tokens minted at
-- refresh. Rows from before this column read as a password sign-in.
ALTER TABLE refresh_tokens ADD COLUMN amr TEXT;
