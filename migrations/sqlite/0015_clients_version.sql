-- A counter of changes to `clients`, bumped by triggers in the same transaction as every
-- insert, update and delete, whoever writes (a server, `usher client` in another process, a
-- hand-written statement). A running server compares it about once a second and drops its
-- in-memory view of the clients when it moved (src/oauth/clients.rs).
CREATE TABLE clients_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO clients_version (id, version) VALUES (1, 0);
CREATE TRIGGER clients_version_after_insert AFTER INSERT ON clients
BEGIN
    UPDATE clients_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER clients_version_after_update AFTER UPDATE ON clients
BEGIN
    UPDATE clients_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER clients_version_after_delete AFTER DELETE ON clients
BEGIN
    UPDATE clients_version SET version = version + 1 WHERE id = 1;
END;
