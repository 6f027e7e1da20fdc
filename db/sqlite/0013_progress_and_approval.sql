-- Who and when. A progress update names its author (a person's name or role, free text), the date its status describes
-- (as_at) and, optionally, how much of the work is done (percent_complete); updates recorded before describe the day they were
-- recorded. A plan's approval names the body that decided, the meeting's date and its minute. approved_by held the id of the
-- API client whose key approved the plan ('platform' for the operator's): who sent the request, which the approve event of the
-- audit trail keeps, not who decided; those values are cleared.
ALTER TABLE commitment_updates ADD COLUMN author TEXT NULL;
ALTER TABLE commitment_updates ADD COLUMN as_at TEXT NULL;
ALTER TABLE commitment_updates ADD COLUMN percent_complete INTEGER NULL CHECK (percent_complete BETWEEN 0 AND 100);
UPDATE commitment_updates SET as_at = substr(created_at, 1, 10);

ALTER TABLE plans ADD COLUMN approval_minute_url TEXT NULL;
UPDATE plans SET approved_by = NULL
WHERE approved_by = 'platform'
   OR approved_by IN (SELECT c.id FROM clients c WHERE c.partnership_id = plans.partnership_id);
