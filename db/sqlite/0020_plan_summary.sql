-- What the committee report opens with: the plan's summary and the strategic assessment's key findings, in the officers'
-- words (plain text, paragraphs separated by blank lines).
ALTER TABLE plans ADD COLUMN summary TEXT NULL;
ALTER TABLE plans ADD COLUMN assessment_findings TEXT NULL;
