-- A revocation list that scales (issue #12 item 5; docs/protocol.md §11, §11.1).
--
-- Before: every revocation inserted a whole signed list into the append-only revocation_lists
-- (storage grew quadratically). Now a publication appends its changes to revocation_list_changes
-- (O(1) rows per revocation), keeps the current list in revocation_list_entries (bounded by the
-- live certificates: a serial leaves once its certificate is past expiry + grace) and one small
-- row for the latest list in revocation_lists (no bytes: the list is signed when read). The
-- history stays in the append-only revocations and revocation_list_changes; superseded list rows
-- are deleted.

-- Which payer serial entered ('added') or left ('removed') the list numbered list_seq. Deltas
-- (GET /v1/revocations?since=) are read from here. A serial is added once (revocations.serial is
-- unique) and removed at most once, after it was added.
CREATE TABLE revocation_list_changes (
  list_seq bigint NOT NULL,
  serial bigint NOT NULL,
  change text NOT NULL,
  CONSTRAINT revocation_list_changes_pkey PRIMARY KEY (list_seq, serial),
  CONSTRAINT revocation_list_changes_seq_check CHECK (list_seq >= 0),
  CONSTRAINT revocation_list_changes_serial_check CHECK (serial BETWEEN 1 AND 9007199254740991),
  CONSTRAINT revocation_list_changes_change_check CHECK (change IN ('added', 'removed'))
);
CREATE TRIGGER revocation_list_changes_append_only BEFORE UPDATE OR DELETE ON revocation_list_changes
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();

-- The serials on the latest list, with their certificate's expiry (a row leaves when expires_at +
-- grace has passed, recorded as a 'removed' change in the same transaction).
CREATE TABLE revocation_list_entries (
  serial bigint PRIMARY KEY,
  expires_at timestamptz NOT NULL,
  added_seq bigint NOT NULL,
  CONSTRAINT revocation_list_entries_serial_check CHECK (serial BETWEEN 1 AND 9007199254740991)
);
CREATE INDEX revocation_list_entries_expires_idx ON revocation_list_entries (expires_at);

-- revocation_lists keeps the latest list's row only: a new one deletes those before it. Its
-- bytes are not stored (signed is NULL): readers sign the list from revocation_list_entries and
-- cache it (Redis, memory); only a list stored before this migration keeps its bytes.
--   issued_at: the list's signed issue time;
--   deltas_from: the oldest list a delta may start from (lists published before this migration
--     have no recorded changes, so devices holding one fetch the full list once);
--   through_revocation: the highest revocations.seq the list has taken in (revocations are
--     inserted under the publishers' lock, so later ones have higher seq).
DROP TRIGGER revocation_lists_append_only ON revocation_lists;
ALTER TABLE revocation_lists ALTER COLUMN signed DROP NOT NULL;
ALTER TABLE revocation_lists ADD COLUMN issued_at timestamptz;
ALTER TABLE revocation_lists ADD COLUMN deltas_from bigint;
ALTER TABLE revocation_lists ADD COLUMN through_revocation bigint;
UPDATE revocation_lists SET issued_at = created_at, deltas_from = seq + 1,
  through_revocation = (SELECT coalesce(max(seq), 0) FROM revocations);
DELETE FROM revocation_lists WHERE seq < (SELECT max(seq) FROM revocation_lists);
ALTER TABLE revocation_lists ALTER COLUMN issued_at SET NOT NULL;
ALTER TABLE revocation_lists ALTER COLUMN deltas_from SET NOT NULL;
ALTER TABLE revocation_lists ALTER COLUMN through_revocation SET NOT NULL;
ALTER TABLE revocation_lists ADD CONSTRAINT revocation_lists_deltas_from_check
  CHECK (deltas_from >= 0 AND deltas_from <= seq + 1 AND through_revocation >= 0);
-- A list row is never changed; superseded ones are deleted.
CREATE TRIGGER revocation_lists_no_update BEFORE UPDATE ON revocation_lists
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();

-- The current list of an existing bank: its revoked payer serials not yet past expiry + grace
-- (GRACE_SECONDS, 3 days). The next publication signs exactly these plus its own changes.
INSERT INTO revocation_list_entries (serial, expires_at, added_seq)
SELECT r.serial, p.expires_at, coalesce((SELECT max(seq) FROM revocation_lists), 0)
FROM revocations r JOIN payer_certificates p ON p.serial = r.serial
WHERE p.expires_at > now() - interval '3 days';
