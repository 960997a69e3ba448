-- Lost and stolen devices, bounded liability (issue #12 items 2–3; docs/threat-model.md
-- "Liability", docs/protocol.md §9.7).

-- When the owner (or an operator) reported the certificate's device lost or stolen: the
-- certificate is revoked as compromised at that moment.
ALTER TABLE payer_certificates ADD COLUMN reported_at timestamptz;
ALTER TABLE payee_certificates ADD COLUMN reported_at timestamptz;
-- From this moment nothing is recovered from the payer's available balance for this certificate
-- (payments settled later are paid from what is left of the reserve only): the first close by
-- its owner or the first compromise report, whichever came first.
ALTER TABLE payer_certificates ADD COLUMN recovery_ended_at timestamptz;

-- A till reported compromised hands its ledger over to a new till of the same merchant: batches
-- of the old ledger then settle only when the new till signed them, continuing from `from_head`
-- (set as the old till's settled head when the handover is stored). One per old till; a new
-- handover replaces it.
CREATE TABLE ledger_handovers (
  from_serial bigint PRIMARY KEY REFERENCES payee_certificates (serial),
  to_serial bigint NOT NULL REFERENCES payee_certificates (serial),
  from_index bigint NOT NULL,
  from_head bytea NOT NULL,
  -- the new till's signed handover, exactly as received
  signed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ledger_handovers_serials_check CHECK (from_serial <> to_serial),
  CONSTRAINT ledger_handovers_from_index_check CHECK (from_index >= 0),
  CONSTRAINT ledger_handovers_from_head_check CHECK (octet_length(from_head) = 32)
);
CREATE INDEX ledger_handovers_to_serial_idx ON ledger_handovers (to_serial);
