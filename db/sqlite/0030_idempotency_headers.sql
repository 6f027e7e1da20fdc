-- A replayed answer carries the first answer's Location and ETag as well as its status and body (a JSON object of the
-- headers kept).
ALTER TABLE idempotency_keys ADD COLUMN response_headers TEXT NULL;
