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
