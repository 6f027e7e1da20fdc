-- Idempotency records name the process that claimed them (owner_instance: the host's instance name; owner_run: one id per
-- start of the service), so a retry after a crash takes over at once a claim whose process is gone, and a restarted
-- service releases the claims it held. result_json is the write's result, stored in the same transaction as the write
-- (status 'committed'): a retry after a crash between the commit and the stored response replays the first answer.
ALTER TABLE idempotency_keys ADD COLUMN owner_instance TEXT NULL;
ALTER TABLE idempotency_keys ADD COLUMN owner_run TEXT NULL;
ALTER TABLE idempotency_keys ADD COLUMN result_json TEXT NULL;
