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
