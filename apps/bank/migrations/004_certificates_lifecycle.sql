-- Certificate lifecycle read paths (DESIGN.md §5 "Merchants can export their settled history").

-- The merchant CSV export reads a payee's settled payments by settlement time.
CREATE INDEX payments_payee_settled_idx ON payments (payee_serial, settled_at) WHERE status = 'settled';
