-- The operators' console (docs/operations.md "The console"; issue #13 item 7). Its live activity
-- panel asks every few seconds, per open stream, how many payments settled in the last minute and
-- how many revocations came in the last 24 hours: both are range counts on a time column, which
-- without an index would read the whole table each time. The daily summary reads the same ranges.
CREATE INDEX payments_settled_at_idx ON payments (settled_at) WHERE status = 'settled';
CREATE INDEX revocations_created_at_idx ON revocations (created_at);
