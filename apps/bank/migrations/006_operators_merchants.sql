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
