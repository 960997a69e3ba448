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
