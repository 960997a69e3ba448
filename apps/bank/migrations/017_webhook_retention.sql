-- Retention of the webhook delivery log (docs/operations.md "Webhooks", WEBHOOK_RETENTION_DAYS):
-- the retention job deletes delivered and given-up deliveries older than the retention age, the
-- oldest first, in bounded chunks. Pending rows are never deleted, and never in this index.
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (created_at)
  WHERE status <> 'pending';
