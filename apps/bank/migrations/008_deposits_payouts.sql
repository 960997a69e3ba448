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
