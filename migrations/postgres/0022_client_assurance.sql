-- Assurance per client (issue 13, docs/factors.md). require_mfa: the client's sign-ins and
-- approvals need two factors (code-flow floor and device-flow minimum = two factors).
-- approval_proof: the client's override of the server's `approval_proof` (none, password,
-- passkey, any); NULL: the server's.
ALTER TABLE clients ADD COLUMN require_mfa BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clients ADD COLUMN approval_proof TEXT;
