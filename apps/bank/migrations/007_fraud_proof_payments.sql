-- A settlement answer names the stored proof behind each fraud-rejected entry by its paymentId
-- (GET /v1/fraud-proofs/{id}, docs/protocol.md §8): find proofs by either payment.
CREATE INDEX fraud_proofs_payment_a ON fraud_proofs (payment_a);
CREATE INDEX fraud_proofs_payment_b ON fraud_proofs (payment_b);
