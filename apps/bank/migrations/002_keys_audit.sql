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
