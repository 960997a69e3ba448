-- Per-payee audit chains (issue #14 item 2; docs/scaling.md "The audit chain").
--
-- Before: every audited transaction took the audit log's one advisory lock and held it to COMMIT,
-- so settlements committed one at a time. Now a settlement's audit line goes on its payee's own
-- chain, whose head lives on the payee_heads row the settlement already holds locked: no lock of
-- its own, and settlements of different payees commit (and share WAL flushes) in parallel. Every
-- other entry stays on the main chain (chain IS NULL) under the advisory lock. An `audit.anchor`
-- entry of the main chain (written every second by the anchor job) names each payee chain's entry
-- count and head that changed since the previous anchor, so the main chain's head commits to every
-- chain; AuditLog.verify() walks all of them.

-- NULL: the main chain; a payee serial: that payee's settlement chain.
ALTER TABLE audit_log ADD COLUMN chain bigint;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_chain_check
  CHECK (chain IS NULL OR chain BETWEEN 1 AND 9007199254740991);
-- One successor per entry within each chain (each chain has its own genesis).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_prev_hash_key;
CREATE UNIQUE INDEX audit_log_main_prev_hash_key ON audit_log (prev_hash) WHERE chain IS NULL;
CREATE UNIQUE INDEX audit_log_chain_prev_hash_key ON audit_log (chain, prev_hash)
  WHERE chain IS NOT NULL;
-- The main head (last main entry) and a chain's entries in order, without scanning the others.
CREATE INDEX audit_log_main_id_idx ON audit_log (id) WHERE chain IS NULL;
CREATE INDEX audit_log_chain_id_idx ON audit_log (chain, id) WHERE chain IS NOT NULL;

-- The payee chain's head and length, moved in the settlement's UPDATE of this row (locked).
ALTER TABLE payee_heads ADD COLUMN audit_head bytea;
ALTER TABLE payee_heads ADD COLUMN audit_count bigint NOT NULL DEFAULT 0;
ALTER TABLE payee_heads ADD CONSTRAINT payee_heads_audit_check
  CHECK ((audit_count = 0) = (audit_head IS NULL) AND audit_count >= 0
         AND (audit_head IS NULL OR octet_length(audit_head) = 32));

-- What the last anchor entry said of each payee chain: the anchor job names only chains whose
-- count moved since. Written under the main chain's lock, with the anchor entry. No foreign key to
-- payee_heads: its check would take KEY SHARE locks on rows that settlements lock FOR UPDATE, and
-- the anchor job must never wait for (or hold up) a settlement.
CREATE TABLE audit_anchors (
  chain bigint PRIMARY KEY,
  audit_count bigint NOT NULL,
  audit_head bytea NOT NULL,
  CONSTRAINT audit_anchors_count_check CHECK (audit_count > 0),
  CONSTRAINT audit_anchors_head_check CHECK (octet_length(audit_head) = 32)
);
