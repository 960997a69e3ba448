-- Certificates, payments, fraud proofs, revocations, payee ledger heads and settlements
-- (DESIGN.md §3, §5). Settlement-specific columns will be refined with the settlement work.

-- One sequence for payer and payee serials, so a serial names one certificate of either kind.
-- Serials stay within 2^53 − 1: protocol v1 CBOR refuses larger integers (DESIGN.md §4).
CREATE SEQUENCE certificate_serial_seq AS bigint MINVALUE 1 MAXVALUE 9007199254740991;

CREATE TABLE payer_certificates (
  serial bigint PRIMARY KEY DEFAULT nextval('certificate_serial_seq'),
  account_id uuid NOT NULL,
  issuer_kid bytea NOT NULL REFERENCES bank_keys (kid),
  -- kid of sign_key (the payer's key id)
  kid bytea NOT NULL,
  sign_key bytea NOT NULL,
  currency char(3) NOT NULL,
  limit_minor bigint NOT NULL,
  -- total settled against this certificate so far (the reserve rule, DESIGN.md §3)
  settled_minor bigint NOT NULL DEFAULT 0,
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active',
  -- when it was closed or revoked; the reserve is still released only at expires_at + grace
  closed_at timestamptz,
  reserve_released_at timestamptz,
  cert bytea NOT NULL,
  CONSTRAINT payer_certificates_account_fkey FOREIGN KEY (account_id, currency) REFERENCES accounts (id, currency),
  CONSTRAINT payer_certificates_serial_check CHECK (serial BETWEEN 1 AND 9007199254740991),
  CONSTRAINT payer_certificates_keys_check CHECK (octet_length(kid) = 8 AND octet_length(sign_key) = 33),
  CONSTRAINT payer_certificates_limit_check CHECK (limit_minor > 0 AND limit_minor <= 9007199254740991),
  CONSTRAINT payer_certificates_settled_check CHECK (settled_minor >= 0),
  CONSTRAINT payer_certificates_expiry_check CHECK (expires_at > issued_at),
  CONSTRAINT payer_certificates_status_check CHECK (status IN ('active', 'closed', 'revoked')),
  CONSTRAINT payer_certificates_closed_check CHECK (status = 'active' OR closed_at IS NOT NULL)
);
CREATE INDEX payer_certificates_account_idx ON payer_certificates (account_id);
CREATE INDEX payer_certificates_kid_idx ON payer_certificates (kid);
-- the reserve-release job scans certificates whose reserve is still held
CREATE INDEX payer_certificates_unreleased_idx ON payer_certificates (expires_at) WHERE reserve_released_at IS NULL;

CREATE TABLE payee_certificates (
  serial bigint PRIMARY KEY DEFAULT nextval('certificate_serial_seq'),
  account_id uuid NOT NULL,
  issuer_kid bytea NOT NULL REFERENCES bank_keys (kid),
  -- kid of sign_key: the payeeKid that payments name
  kid bytea NOT NULL,
  sign_key bytea NOT NULL,
  kem_key bytea NOT NULL,
  display_name text NOT NULL,
  currency char(3) NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active',
  closed_at timestamptz,
  cert bytea NOT NULL,
  CONSTRAINT payee_certificates_kid_key UNIQUE (kid),
  CONSTRAINT payee_certificates_account_fkey FOREIGN KEY (account_id, currency) REFERENCES accounts (id, currency),
  CONSTRAINT payee_certificates_serial_check CHECK (serial BETWEEN 1 AND 9007199254740991),
  CONSTRAINT payee_certificates_keys_check CHECK (octet_length(kid) = 8 AND octet_length(sign_key) = 33 AND octet_length(kem_key) = 33),
  CONSTRAINT payee_certificates_display_name_check CHECK (length(display_name) BETWEEN 1 AND 64),
  CONSTRAINT payee_certificates_expiry_check CHECK (expires_at > issued_at),
  CONSTRAINT payee_certificates_status_check CHECK (status IN ('active', 'closed', 'revoked')),
  CONSTRAINT payee_certificates_closed_check CHECK (status = 'active' OR closed_at IS NOT NULL)
);
CREATE INDEX payee_certificates_account_idx ON payee_certificates (account_id);

-- The payee's settled ledger head: the next batch must continue from it (DESIGN.md §5).
CREATE TABLE payee_heads (
  payee_serial bigint PRIMARY KEY REFERENCES payee_certificates (serial),
  next_index bigint NOT NULL DEFAULT 0,
  head bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payee_heads_next_index_check CHECK (next_index >= 0),
  CONSTRAINT payee_heads_head_check CHECK (octet_length(head) = 32)
);

-- Stored results of verified batches: an equal batch gets the stored result (exactly once).
CREATE TABLE settlements (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payee_serial bigint NOT NULL REFERENCES payee_certificates (serial),
  -- SHA-256 of the signed batch tbs, derived by the bank itself
  batch_key bytea NOT NULL,
  -- the bank-signed SettlementResult
  result bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT settlements_payee_batch_key UNIQUE (payee_serial, batch_key),
  CONSTRAINT settlements_batch_key_check CHECK (octet_length(batch_key) = 32)
);

CREATE TABLE payments (
  payment_id bytea PRIMARY KEY,
  serial bigint NOT NULL REFERENCES payer_certificates (serial),
  counter bigint NOT NULL,
  prev bytea NOT NULL,
  payee_serial bigint NOT NULL REFERENCES payee_certificates (serial),
  currency char(3) NOT NULL,
  amount bigint NOT NULL,
  spent bigint NOT NULL,
  -- the payer-signed payment exactly as received: a fraud proof is two of these
  signed bytea NOT NULL,
  -- the payer's createdAt (its clock, informative only); received_at is the bank's clock
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL,
  code text,
  settled_at timestamptz,
  settlement_id bigint REFERENCES settlements (id),
  CONSTRAINT payments_payment_id_check CHECK (octet_length(payment_id) = 32 AND octet_length(prev) = 32),
  CONSTRAINT payments_counter_check CHECK (counter BETWEEN 1 AND 9007199254740991),
  CONSTRAINT payments_amount_check CHECK (amount > 0 AND amount <= spent AND spent <= 9007199254740991),
  CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT payments_status_check CHECK (status IN ('settled', 'rejected')),
  CONSTRAINT payments_settled_check CHECK (status <> 'settled' OR settled_at IS NOT NULL),
  CONSTRAINT payments_code_check CHECK (status <> 'rejected' OR code ~ '^[A-Z]+_[A-Z0-9_]+$')
);
-- not unique: two payments with one counter are an equivocation, which must be stored to prove it
CREATE INDEX payments_serial_counter_idx ON payments (serial, counter);
CREATE INDEX payments_payee_serial_idx ON payments (payee_serial, received_at);

-- Two validly signed payments under one certificate that prove cheating (DESIGN.md §3).
CREATE TABLE fraud_proofs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial bigint NOT NULL REFERENCES payer_certificates (serial),
  kind text NOT NULL,
  payment_a bytea NOT NULL,
  payment_b bytea NOT NULL,
  proof bytea NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT fraud_proofs_once_key UNIQUE (serial, kind, payment_a, payment_b),
  CONSTRAINT fraud_proofs_kind_check CHECK (kind IN ('equivocation', 'fork', 'understated')),
  CONSTRAINT fraud_proofs_payments_check CHECK (octet_length(payment_a) = 32 AND octet_length(payment_b) = 32 AND payment_a <> payment_b)
);

-- Revoked serials (payer or payee), in the order the signed list includes them.
CREATE TABLE revocations (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial bigint NOT NULL,
  reason text NOT NULL,
  fraud_proof_id bigint REFERENCES fraud_proofs (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT revocations_serial_key UNIQUE (serial),
  CONSTRAINT revocations_serial_check CHECK (serial BETWEEN 1 AND 9007199254740991),
  CONSTRAINT revocations_reason_check CHECK (reason IN ('fraud', 'closed', 'compromised')),
  CONSTRAINT revocations_fraud_check CHECK ((reason = 'fraud') = (fraud_proof_id IS NOT NULL))
);

-- Every bank-signed revocation list ever published, by its sequence number.
CREATE TABLE revocation_lists (
  seq bigint PRIMARY KEY,
  signed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT revocation_lists_seq_check CHECK (seq >= 0)
);

CREATE TRIGGER settlements_append_only BEFORE UPDATE OR DELETE ON settlements
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER fraud_proofs_append_only BEFORE UPDATE OR DELETE ON fraud_proofs
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER revocations_append_only BEFORE UPDATE OR DELETE ON revocations
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER revocation_lists_append_only BEFORE UPDATE OR DELETE ON revocation_lists
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
