-- A counter of changes to `clients`, bumped by a trigger in the same transaction as every
-- insert, update and delete, whoever writes (a server, `usher client` in another process, a
-- hand-written statement). The trigger also sends NOTIFY usher_clients
-- (store::CLIENTS_CHANNEL), delivered on commit and dropped on rollback, so every instance
-- drops its in-memory view of the clients at once (src/oauth/clients.rs).
CREATE TABLE clients_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO clients_version (id, version) VALUES (1, 0);
CREATE FUNCTION usher_clients_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE clients_version SET version = version + 1 WHERE id = 1;
    PERFORM pg_notify('usher_clients', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER clients_changed AFTER INSERT OR UPDATE OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION usher_clients_changed();
