-- Whether a refresh family is revoked is asked on every refresh and every userinfo call
-- (store::Database::is_family_revoked). Through `refresh_tokens_family` that read visits every
-- token the family ever had (one per rotation, kept until it expires); this index holds
-- only revoked rows, so the answer is one lookup however long the chain.
CREATE INDEX refresh_tokens_family_revoked ON refresh_tokens (family_id)
    WHERE revoked_at IS NOT NULL;
