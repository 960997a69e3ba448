-- offpay bank schema (PostgreSQL). GENERATED: do not edit by hand.
-- It is the concatenation of apps/bank/migrations/*.sql, regenerated with
-- `pnpm --filter @offpay/bank schema`; a test fails when it is out of date.
-- The migration runner's own bookkeeping table (schema_migrations) is not part of it.

-- ==== migrations/001_ledger.sql ====

-- Users, accounts and the double-entry ledger (DESIGN.md §5). Money is always bigint minor units
-- with an ISO 4217 currency; no float or numeric column ever holds an amount.

-- Rows of ledger tables are never changed or removed: corrections are new, balanced transfers.
CREATE FUNCTION offpay_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  display_name text NOT NULL,
  -- scrypt (RFC 7914) with the parameters each hash was made with, so the cost can rise later
  password_scrypt_log2n smallint NOT NULL,
  password_scrypt_r smallint NOT NULL,
  password_scrypt_p smallint NOT NULL,
  password_salt bytea NOT NULL,
  password_hash bytea NOT NULL,
  -- bumped by "log out everywhere": tokens carrying an older version are refused
  token_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_email_key UNIQUE (email),
  CONSTRAINT users_email_check CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
  CONSTRAINT users_display_name_check CHECK (length(display_name) BETWEEN 1 AND 64),
  CONSTRAINT users_scrypt_check CHECK (password_scrypt_log2n BETWEEN 10 AND 20 AND password_scrypt_r BETWEEN 1 AND 32 AND password_scrypt_p BETWEEN 1 AND 16),
  CONSTRAINT users_password_check CHECK (octet_length(password_salt) = 16 AND octet_length(password_hash) = 32),
  CONSTRAINT users_token_version_check CHECK (token_version >= 0)
);

-- customer: a user's money; reserve: money held for payer certificates (per user or system);
-- settlement: the bank's clearing account; issuance: where money enters the system (may go
-- negative: its balance is minus all money issued).
CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid REFERENCES users (id),
  kind text NOT NULL,
  currency char(3) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_id_currency_key UNIQUE (id, currency),
  CONSTRAINT accounts_kind_check CHECK (kind IN ('customer', 'reserve', 'settlement', 'issuance')),
  CONSTRAINT accounts_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT accounts_owner_check CHECK (
    CASE kind WHEN 'customer' THEN user_id IS NOT NULL WHEN 'reserve' THEN true ELSE user_id IS NULL END
  )
);
CREATE UNIQUE INDEX accounts_user_kind_currency_key ON accounts (user_id, kind, currency) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX accounts_system_kind_currency_key ON accounts (kind, currency) WHERE user_id IS NULL;

-- A table, not a view: O(1) reads and a row to lock (SELECT … FOR UPDATE) before moving money.
-- Maintained only by the postings trigger below, so balance = Σ postings holds by construction.
CREATE TABLE account_balances (
  account_id uuid PRIMARY KEY,
  currency char(3) NOT NULL,
  balance bigint NOT NULL DEFAULT 0,
  may_go_negative boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT account_balances_account_fkey FOREIGN KEY (account_id, currency) REFERENCES accounts (id, currency),
  -- the last line of defence behind the service's overdraft check
  CONSTRAINT account_balances_overdraft_check CHECK (may_go_negative OR balance >= 0)
);

CREATE FUNCTION offpay_open_balance() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_balances (account_id, currency, may_go_negative)
  VALUES (NEW.id, NEW.currency, NEW.kind = 'issuance');
  RETURN NULL;
END
$$;
CREATE TRIGGER accounts_open_balance AFTER INSERT ON accounts
  FOR EACH ROW EXECUTE FUNCTION offpay_open_balance();

-- One movement of money. (kind, reference) is unique, so a movement keyed by what caused it
-- (a payment id, a certificate serial) can happen only once, whatever the application does.
CREATE TABLE transfers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  reference text NOT NULL,
  currency char(3) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT transfers_id_currency_key UNIQUE (id, currency),
  CONSTRAINT transfers_kind_reference_key UNIQUE (kind, reference),
  CONSTRAINT transfers_kind_check CHECK (kind IN ('funding', 'reserve', 'release', 'settlement', 'recovery', 'adjustment')),
  CONSTRAINT transfers_reference_check CHECK (length(reference) BETWEEN 1 AND 200),
  CONSTRAINT transfers_currency_check CHECK (currency ~ '^[A-Z]{3}$')
);

-- The composite foreign keys make a posting's currency equal both its transfer's and its
-- account's: a transfer can never mix currencies.
CREATE TABLE postings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transfer_id bigint NOT NULL,
  account_id uuid NOT NULL,
  currency char(3) NOT NULL,
  amount bigint NOT NULL,
  CONSTRAINT postings_transfer_fkey FOREIGN KEY (transfer_id, currency) REFERENCES transfers (id, currency),
  CONSTRAINT postings_account_fkey FOREIGN KEY (account_id, currency) REFERENCES accounts (id, currency),
  CONSTRAINT postings_transfer_account_key UNIQUE (transfer_id, account_id),
  CONSTRAINT postings_amount_check CHECK (amount <> 0)
);
CREATE INDEX postings_account_id_idx ON postings (account_id, id);

CREATE FUNCTION offpay_apply_posting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE account_balances SET balance = balance + NEW.amount, updated_at = now()
  WHERE account_id = NEW.account_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER postings_apply AFTER INSERT ON postings
  FOR EACH ROW EXECUTE FUNCTION offpay_apply_posting();

-- Every transfer has at least two postings summing to zero. Checked at COMMIT (deferred), when
-- all of a transfer's postings exist, for every transfer and posting written in the transaction.
CREATE FUNCTION offpay_check_transfer_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tid bigint;
  total numeric;
  n integer;
BEGIN
  IF TG_TABLE_NAME = 'transfers' THEN
    tid := NEW.id;
  ELSE
    tid := NEW.transfer_id;
  END IF;
  SELECT coalesce(sum(amount), 0), count(*) INTO total, n FROM postings WHERE transfer_id = tid;
  IF n < 2 OR total <> 0 THEN
    RAISE EXCEPTION 'transfer % is unbalanced: % postings summing to %', tid, n, total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER transfers_balanced AFTER INSERT ON transfers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION offpay_check_transfer_balanced();
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION offpay_check_transfer_balanced();

CREATE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON transfers
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers
  FOR EACH STATEMENT EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
  FOR EACH STATEMENT EXECUTE FUNCTION offpay_append_only();

-- ==== migrations/002_keys_audit.sql ====

-- The bank's own keys and secrets, and the hash-chained audit log (DESIGN.md §3 "Bank keys", §5).

-- Secret keys are stored only sealed: AES-256-GCM under a key derived (HKDF) from
-- BANK_KEY_ENCRYPTION_SECRET, nonce ‖ ciphertext ‖ tag, bound to (kid, kind) as associated
-- data (docs/operations.md "Bank keys").
CREATE TABLE bank_keys (
  kid bytea PRIMARY KEY,
  kind text NOT NULL,
  public_key bytea NOT NULL,
  secret_key_sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  previous_kid bytea REFERENCES bank_keys (kid),
  -- the rotation announcement: this key signed by the previous key of its kind
  announcement bytea,
  CONSTRAINT bank_keys_public_key_key UNIQUE (public_key),
  CONSTRAINT bank_keys_kid_check CHECK (octet_length(kid) = 8),
  CONSTRAINT bank_keys_kind_check CHECK (kind IN ('sign', 'kem')),
  CONSTRAINT bank_keys_public_key_check CHECK (octet_length(public_key) = 33),
  CONSTRAINT bank_keys_secret_check CHECK (octet_length(secret_key_sealed) = 12 + 32 + 16),
  CONSTRAINT bank_keys_retired_check CHECK (retired_at IS NULL OR retired_at >= created_at),
  CONSTRAINT bank_keys_announcement_check CHECK (announcement IS NULL OR previous_kid IS NOT NULL)
);
-- At most one current key per kind; two instances racing to create one cannot both succeed.
CREATE UNIQUE INDEX bank_keys_current_key ON bank_keys (kind) WHERE retired_at IS NULL;

-- Other generated secrets (the JWT signing secret when JWT_SECRET is not set), sealed like keys.
CREATE TABLE bank_secrets (
  name text PRIMARY KEY,
  sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT bank_secrets_name_check CHECK (name ~ '^[a-z][a-z0-9_]{0,31}$')
);

-- entry_hash = SHA-256(len ‖ "offpay/v1/bank-audit" ‖ prev_hash ‖ canonical JSON of
-- {action, actor, at, data}); the first prev_hash is SHA-256(len ‖ "offpay/v1/bank-audit-genesis").
-- A unique prev_hash means the chain cannot fork.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  prev_hash bytea NOT NULL,
  entry_hash bytea NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT audit_log_prev_hash_key UNIQUE (prev_hash),
  CONSTRAINT audit_log_entry_hash_key UNIQUE (entry_hash),
  CONSTRAINT audit_log_hash_check CHECK (octet_length(prev_hash) = 32 AND octet_length(entry_hash) = 32),
  CONSTRAINT audit_log_actor_check CHECK (length(actor) BETWEEN 1 AND 200),
  CONSTRAINT audit_log_action_check CHECK (action ~ '^[a-z][a-z0-9_.]{0,63}$')
);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION offpay_append_only();

-- ==== migrations/003_certificates.sql ====

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

-- ==== migrations/004_certificates_lifecycle.sql ====

-- Certificate lifecycle read paths (DESIGN.md §5 "Merchants can export their settled history").

-- The merchant CSV export reads a payee's settled payments by settlement time.
CREATE INDEX payments_payee_settled_idx ON payments (payee_serial, settled_at) WHERE status = 'settled';

-- ==== migrations/006_operators_merchants.sql ====

-- Operators (the people who run the bank) and verified merchants (docs/operations.md "Operators",
-- "Merchants"; issue #13 items 1–2, issue #12 item 1).

-- Operators are not customers: their own table, login, tokens (another audience) and roles.
CREATE TABLE operators (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  role text NOT NULL,
  password_scrypt_log2n smallint NOT NULL,
  password_scrypt_r smallint NOT NULL,
  password_scrypt_p smallint NOT NULL,
  password_salt bytea NOT NULL,
  password_hash bytea NOT NULL,
  -- the RFC 6238 secret (20 bytes), sealed under the bank's key-encryption key like bank keys:
  -- nonce (12) ‖ AES-256-GCM ciphertext (20) ‖ tag (16), bound to the operator id
  totp_secret_sealed bytea NOT NULL,
  -- the last TOTP time step accepted: a code is good once, and never one older than it
  totp_last_step bigint,
  -- bumped by logout: tokens carrying an older version are refused
  token_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT operators_email_key UNIQUE (email),
  CONSTRAINT operators_email_check CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
  CONSTRAINT operators_role_check CHECK (role IN ('operator', 'auditor')),
  CONSTRAINT operators_scrypt_check CHECK (password_scrypt_log2n BETWEEN 10 AND 20 AND password_scrypt_r BETWEEN 1 AND 32 AND password_scrypt_p BETWEEN 1 AND 16),
  CONSTRAINT operators_password_check CHECK (octet_length(password_salt) = 16 AND octet_length(password_hash) = 32),
  CONSTRAINT operators_totp_check CHECK (octet_length(totp_secret_sealed) = 12 + 20 + 16),
  CONSTRAINT operators_totp_step_check CHECK (totp_last_step IS NULL OR totp_last_step >= 0),
  CONSTRAINT operators_token_version_check CHECK (token_version >= 0)
);

-- A customer's request to be a verified merchant. One open (pending) application per account.
CREATE TABLE merchant_applications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  legal_name text NOT NULL,
  display_name text NOT NULL,
  contact text NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  submitted_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by uuid REFERENCES operators (id),
  decision_reason text,
  CONSTRAINT merchant_applications_state_check CHECK (state IN ('pending', 'approved', 'refused')),
  CONSTRAINT merchant_applications_decision_check CHECK (
    (state = 'pending') = (decided_at IS NULL AND decided_by IS NULL AND decision_reason IS NULL)
  ),
  CONSTRAINT merchant_applications_legal_name_check CHECK (length(legal_name) BETWEEN 1 AND 200),
  CONSTRAINT merchant_applications_display_name_check CHECK (octet_length(display_name) BETWEEN 1 AND 64),
  CONSTRAINT merchant_applications_contact_check CHECK (length(contact) BETWEEN 1 AND 200),
  CONSTRAINT merchant_applications_reason_check CHECK (decision_reason IS NULL OR length(decision_reason) BETWEEN 3 AND 500)
);
CREATE UNIQUE INDEX merchant_applications_one_open ON merchant_applications (user_id) WHERE state = 'pending';
CREATE INDEX merchant_applications_queue_idx ON merchant_applications (state, submitted_at);
CREATE INDEX merchant_applications_user_idx ON merchant_applications (user_id, submitted_at);

-- Verified merchants: the approved identity and its reserved display name. A payee certificate is
-- issued only to an account with a row here, and carries display_name. Names are unique under
-- case folding (name_fold) and under UTS #39 confusable skeletons (name_skeleton); rows are never
-- removed, so a name once certified is never given to someone else.
CREATE TABLE merchants (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  application_id uuid NOT NULL REFERENCES merchant_applications (id),
  legal_name text NOT NULL,
  display_name text NOT NULL,
  name_fold text NOT NULL,
  name_skeleton text NOT NULL,
  verified_at timestamptz NOT NULL,
  verified_by uuid NOT NULL REFERENCES operators (id),
  CONSTRAINT merchants_application_key UNIQUE (application_id),
  CONSTRAINT merchants_name_fold_key UNIQUE (name_fold),
  CONSTRAINT merchants_name_skeleton_key UNIQUE (name_skeleton),
  CONSTRAINT merchants_display_name_check CHECK (octet_length(display_name) BETWEEN 1 AND 64)
);
CREATE TRIGGER merchants_append_only BEFORE UPDATE OR DELETE ON merchants
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER merchants_no_truncate BEFORE TRUNCATE ON merchants
  FOR EACH STATEMENT EXECUTE FUNCTION offpay_append_only();

-- ==== migrations/007_fraud_proof_payments.sql ====

-- A settlement answer names the stored proof behind each fraud-rejected entry by its paymentId
-- (GET /v1/fraud-proofs/{id}, docs/protocol.md §8): find proofs by either payment.
CREATE INDEX fraud_proofs_payment_a ON fraud_proofs (payment_a);
CREATE INDEX fraud_proofs_payment_b ON fraud_proofs (payment_b);

-- ==== migrations/008_deposits_payouts.sql ====

-- Money in and money out (docs/operations.md "An operator's day: deposits in, payouts out";
-- issue #13 items 3–4). Money still moves only as balanced transfers; these tables say why.

-- clearing: the bank's mirror of its account at the outside bank — deposits come from it, paid
-- payouts go to it, so it may go negative (minus the money that came in and has not left).
-- payout_hold: money of requested payouts, out of the customer's reach until paid or returned.
ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check
  CHECK (kind IN ('customer', 'reserve', 'settlement', 'issuance', 'clearing', 'payout_hold'));

CREATE OR REPLACE FUNCTION offpay_open_balance() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_balances (account_id, currency, may_go_negative)
  VALUES (NEW.id, NEW.currency, NEW.kind IN ('issuance', 'clearing'));
  RETURN NULL;
END
$$;

ALTER TABLE transfers DROP CONSTRAINT transfers_kind_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_kind_check CHECK (kind IN (
  'funding', 'reserve', 'release', 'settlement', 'recovery', 'adjustment',
  'deposit', 'payout_hold', 'payout_return', 'payout_paid'
));

-- One statement file an operator imported: who, why, what file, and what became of its rows.
CREATE TABLE deposit_imports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  reason text NOT NULL,
  file_sha256 bytea NOT NULL,
  rows_total integer NOT NULL,
  rows_applied integer NOT NULL,
  rows_already integer NOT NULL,
  rows_refused integer NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT deposit_imports_sha_check CHECK (octet_length(file_sha256) = 32),
  CONSTRAINT deposit_imports_counts_check CHECK (
    rows_applied >= 0 AND rows_already >= 0 AND rows_refused >= 0
    AND rows_total = rows_applied + rows_already + rows_refused
  )
);

-- A deposit: money received at the outside bank under an external reference, credited to a
-- customer account from clearing. The reference is unique, and the transfer that moved the
-- money is (deposit, reference): the deferred foreign key makes every deposit exactly one
-- transfer, and transfers_kind_reference_key makes it at most one.
CREATE TABLE deposits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reference text NOT NULL,
  transfer_kind text NOT NULL DEFAULT 'deposit',
  account_id uuid NOT NULL,
  currency char(3) NOT NULL,
  amount bigint NOT NULL,
  value_date date,
  description text,
  operator_id uuid NOT NULL REFERENCES operators (id),
  reason text NOT NULL,
  import_id bigint REFERENCES deposit_imports (id) DEFERRABLE INITIALLY DEFERRED,
  created_at timestamptz NOT NULL,
  CONSTRAINT deposits_reference_key UNIQUE (reference),
  CONSTRAINT deposits_transfer_kind_check CHECK (transfer_kind = 'deposit'),
  CONSTRAINT deposits_transfer_fkey FOREIGN KEY (transfer_kind, reference)
    REFERENCES transfers (kind, reference) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT deposits_account_fkey FOREIGN KEY (account_id, currency) REFERENCES accounts (id, currency),
  CONSTRAINT deposits_reference_check CHECK (length(reference) BETWEEN 1 AND 64),
  CONSTRAINT deposits_amount_check CHECK (amount > 0),
  CONSTRAINT deposits_description_check CHECK (description IS NULL OR length(description) <= 140),
  CONSTRAINT deposits_reason_check CHECK (length(reason) BETWEEN 3 AND 500)
);
CREATE INDEX deposits_account_idx ON deposits (account_id, id);
CREATE TRIGGER deposits_append_only BEFORE UPDATE OR DELETE ON deposits
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER deposits_no_truncate BEFORE TRUNCATE ON deposits
  FOR EACH STATEMENT EXECUTE FUNCTION offpay_append_only();

-- Where a customer's payouts go: an IBAN (checked by the bank) and the holder's name.
CREATE TABLE payout_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  iban text NOT NULL,
  holder_name text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT payout_accounts_user_iban_key UNIQUE (user_id, iban),
  CONSTRAINT payout_accounts_iban_check CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
  CONSTRAINT payout_accounts_holder_check CHECK (length(holder_name) BETWEEN 1 AND 70)
);

-- A batch of approved payouts exported as one pain.001 file.
CREATE TABLE payout_batches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id text NOT NULL,
  currency char(3) NOT NULL,
  payouts integer NOT NULL,
  total bigint NOT NULL,
  operator_id uuid NOT NULL REFERENCES operators (id),
  reason text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT payout_batches_message_id_key UNIQUE (message_id),
  CONSTRAINT payout_batches_counts_check CHECK (payouts >= 1 AND total > 0)
);
CREATE TRIGGER payout_batches_append_only BEFORE UPDATE OR DELETE ON payout_batches
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();

-- A payout: requested (money held at once) → approved → in_flight (exported) → confirmed
-- (money left to clearing) or failed (money returned); or requested → refused (money returned).
-- Each money movement is the transfer (payout_hold | payout_return | payout_paid, id): once.
CREATE TABLE payouts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  account_id uuid NOT NULL,
  payout_account_id uuid NOT NULL REFERENCES payout_accounts (id),
  currency char(3) NOT NULL,
  amount bigint NOT NULL,
  idempotency_key text NOT NULL,
  state text NOT NULL DEFAULT 'requested',
  requested_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by uuid REFERENCES operators (id),
  decision_reason text,
  batch_id uuid REFERENCES payout_batches (id),
  settled_at timestamptz,
  settled_by uuid REFERENCES operators (id),
  settled_reason text,
  CONSTRAINT payouts_account_fkey FOREIGN KEY (account_id, currency) REFERENCES accounts (id, currency),
  CONSTRAINT payouts_user_key_key UNIQUE (user_id, idempotency_key),
  CONSTRAINT payouts_key_check CHECK (idempotency_key ~ '^[A-Za-z0-9_-]{8,64}$'),
  CONSTRAINT payouts_amount_check CHECK (amount > 0),
  CONSTRAINT payouts_state_check CHECK (
    state IN ('requested', 'approved', 'refused', 'in_flight', 'confirmed', 'failed')
  ),
  CONSTRAINT payouts_decision_check CHECK (
    (state = 'requested') = (decided_at IS NULL AND decided_by IS NULL AND decision_reason IS NULL)
  ),
  CONSTRAINT payouts_batch_check CHECK (
    (state IN ('in_flight', 'confirmed', 'failed')) = (batch_id IS NOT NULL)
  ),
  CONSTRAINT payouts_settled_check CHECK (
    (state IN ('confirmed', 'failed')) = (settled_at IS NOT NULL AND settled_by IS NOT NULL AND settled_reason IS NOT NULL)
  )
);
CREATE INDEX payouts_state_idx ON payouts (state, currency, requested_at);
CREATE INDEX payouts_user_idx ON payouts (user_id, requested_at);
CREATE INDEX payouts_batch_idx ON payouts (batch_id);

-- The state machine, enforced here whatever the application does: a payout moves only forward
-- along its edges, so it is never confirmed twice nor both confirmed and failed, and nothing but
-- its state and the facts of each step ever change.
CREATE FUNCTION offpay_payout_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.state, NEW.state) NOT IN (
    ('requested', 'approved'), ('requested', 'refused'), ('approved', 'in_flight'),
    ('in_flight', 'confirmed'), ('in_flight', 'failed')
  ) THEN
    RAISE EXCEPTION 'payout % cannot go from % to %', OLD.id, OLD.state, NEW.state
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payouts_transition_check';
  END IF;
  IF (NEW.id, NEW.user_id, NEW.account_id, NEW.payout_account_id, NEW.currency, NEW.amount,
      NEW.idempotency_key, NEW.requested_at)
     IS DISTINCT FROM
     (OLD.id, OLD.user_id, OLD.account_id, OLD.payout_account_id, OLD.currency, OLD.amount,
      OLD.idempotency_key, OLD.requested_at) THEN
    RAISE EXCEPTION 'payout % changed more than its state', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payouts_transition_check';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER payouts_transition BEFORE UPDATE ON payouts
  FOR EACH ROW EXECUTE FUNCTION offpay_payout_transition();
CREATE TRIGGER payouts_no_delete BEFORE DELETE ON payouts
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER payouts_no_truncate BEFORE TRUNCATE ON payouts
  FOR EACH STATEMENT EXECUTE FUNCTION offpay_append_only();

-- ==== migrations/010_refunds.sql ====

-- Refunds (docs/operations.md "Refunds"): a merchant gives back all or part of a settled payment
-- from its own account to the payer's account. One row per refund, never changed; the sum of a
-- payment's refunds never exceeds its amount (checked under the payment's row lock, and again by
-- `pnpm reconcile`). The Idempotency-Key is the merchant's: one refund per (merchant, key).
ALTER TABLE transfers DROP CONSTRAINT transfers_kind_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_kind_check
  CHECK (kind IN (
    'funding', 'reserve', 'release', 'settlement', 'recovery', 'adjustment',
    'deposit', 'payout_hold', 'payout_return', 'payout_paid', 'refund'
  ));

CREATE TABLE refunds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id bytea NOT NULL REFERENCES payments (payment_id),
  -- the merchant (owner of the payee account) who refunded
  user_id uuid NOT NULL REFERENCES users (id),
  idempotency_key text NOT NULL,
  currency char(3) NOT NULL,
  amount bigint NOT NULL,
  reason text NOT NULL DEFAULT '',
  transfer_id bigint NOT NULL UNIQUE REFERENCES transfers (id),
  created_at timestamptz NOT NULL,
  CONSTRAINT refunds_user_key UNIQUE (user_id, idempotency_key),
  CONSTRAINT refunds_key_check CHECK (idempotency_key ~ '^[A-Za-z0-9_-]{8,64}$'),
  CONSTRAINT refunds_amount_check CHECK (amount > 0 AND amount <= 9007199254740991),
  CONSTRAINT refunds_reason_check CHECK (length(reason) <= 200)
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id);
CREATE TRIGGER refunds_append_only BEFORE UPDATE OR DELETE ON refunds
  FOR EACH ROW EXECUTE FUNCTION offpay_append_only();
CREATE TRIGGER refunds_no_truncate BEFORE TRUNCATE ON refunds
  FOR EACH STATEMENT EXECUTE FUNCTION offpay_append_only();

-- ==== migrations/011_webhooks.sql ====

-- Merchant webhooks (docs/webhooks.md): endpoints a verified merchant registers, and an outbox of
-- deliveries written in the same transaction as the money movement they report, so an event
-- exists exactly when its movement committed. The delivery worker takes due rows FOR UPDATE SKIP
-- LOCKED (several instances may run it); Redis plays no part.
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  url text NOT NULL,
  -- The signing secret sealed with AES-256-GCM under the bank's key-encryption key (associated
  -- data: the endpoint id), exactly like the bank's own keys and operators' TOTP secrets.
  sealed_secret bytea NOT NULL,
  event_types text[] NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  disabled_at timestamptz,
  CONSTRAINT webhook_endpoints_url_check CHECK (length(url) BETWEEN 8 AND 2048),
  CONSTRAINT webhook_endpoints_events_check CHECK (cardinality(event_types) BETWEEN 1 AND 32),
  CONSTRAINT webhook_endpoints_disabled_check CHECK (enabled = (disabled_at IS NULL))
);
-- Enqueueing looks up the owner's enabled endpoints inside every money transaction.
CREATE INDEX webhook_endpoints_owner_idx ON webhook_endpoints (user_id) WHERE enabled;

CREATE TABLE webhook_deliveries (
  seq bigserial PRIMARY KEY,
  -- One event for one endpoint; the same event id on every attempt (receivers dedupe by it).
  event_id uuid NOT NULL,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id),
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  -- Database time: every instance schedules on one clock. For a row being delivered, the end of
  -- its lease (a worker that died mid-attempt leaves it due again then).
  next_attempt_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  last_attempt_at timestamptz,
  last_status_code integer,
  -- What went wrong, in the bank's words (never a secret, never the receiver's body).
  last_error text,
  delivered_at timestamptz,
  CONSTRAINT webhook_deliveries_event_endpoint_key UNIQUE (event_id, endpoint_id),
  CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
  CONSTRAINT webhook_deliveries_attempts_check CHECK (attempts BETWEEN 0 AND 1000),
  CONSTRAINT webhook_deliveries_code_check CHECK (last_status_code BETWEEN 100 AND 599),
  CONSTRAINT webhook_deliveries_error_check CHECK (length(last_error) <= 300),
  CONSTRAINT webhook_deliveries_delivered_check CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
-- The worker's pick: pending rows by due time.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- The delivery logs, newest first: one endpoint's, and the operators' by status.
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, seq DESC);
CREATE INDEX webhook_deliveries_status_idx ON webhook_deliveries (status, seq DESC);

-- ==== migrations/012_lost_and_stolen.sql ====

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

-- ==== migrations/013_console.sql ====

-- The operators' console (docs/operations.md "The console"; issue #13 item 7). Its live activity
-- panel asks every few seconds, per open stream, how many payments settled in the last minute and
-- how many revocations came in the last 24 hours: both are range counts on a time column, which
-- without an index would read the whole table each time. The daily summary reads the same ranges.
CREATE INDEX payments_settled_at_idx ON payments (settled_at) WHERE status = 'settled';
CREATE INDEX revocations_created_at_idx ON revocations (created_at);

-- ==== migrations/014_revocation_deltas.sql ====

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

-- ==== migrations/015_audit_payee_chains.sql ====

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

-- ==== migrations/017_webhook_retention.sql ====

-- Retention of the webhook delivery log (docs/operations.md "Webhooks", WEBHOOK_RETENTION_DAYS):
-- the retention job deletes delivered and given-up deliveries older than the retention age, the
-- oldest first, in bounded chunks. Pending rows are never deleted, and never in this index.
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (created_at)
  WHERE status <> 'pending';
