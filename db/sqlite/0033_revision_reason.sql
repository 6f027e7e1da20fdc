-- Why a value changed ("CONNECT re-extract"), as the push row or the retraction said: kept on the revision it made. NULL when
-- none was given, and on every revision made before this script.
ALTER TABLE observation_revisions ADD COLUMN reason TEXT NULL;
