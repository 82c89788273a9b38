-- Origins (scheme://host[:port], space-separated) whose pages may call the token, userinfo
-- and revocation endpoints with CORS. NULL: derived from the client's redirect URIs.
ALTER TABLE clients ADD COLUMN web_origins TEXT;
