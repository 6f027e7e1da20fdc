-- Strategy frameworks (Southwark 2030, the Police and Crime Plan), their outcomes, and the
-- alignments of priorities, commitments and indicators to those outcomes.
-- Every tenant-owned table carries partnership_id and every foreign key includes it.
--
-- A framework is versioned: a new version is a new row with the same code, the next version_no
-- and supersedes_id pointing at the old row; the old row and its outcomes stay, so alignments
-- made against them stay readable.

CREATE TABLE frameworks (
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    id             TEXT NOT NULL,
    code           TEXT NOT NULL,
    version_no     INTEGER NOT NULL,
    title          TEXT NOT NULL,
    publisher      TEXT NULL,
    adopted_on     TEXT NULL,
    url            TEXT NULL,
    supersedes_id  TEXT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    UNIQUE (partnership_id, code, version_no),
    FOREIGN KEY (partnership_id, supersedes_id) REFERENCES frameworks (partnership_id, id)
);
-- A version is superseded at most once: versions form a chain, not a tree.
CREATE UNIQUE INDEX ux_frameworks_supersedes ON frameworks (partnership_id, supersedes_id) WHERE supersedes_id IS NOT NULL;

CREATE TABLE outcomes (
    partnership_id TEXT NOT NULL,
    id             TEXT NOT NULL,
    framework_id   TEXT NOT NULL,
    code           TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NULL,
    position       INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    UNIQUE (partnership_id, framework_id, code),
    FOREIGN KEY (partnership_id, framework_id) REFERENCES frameworks (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_outcomes_framework ON outcomes (partnership_id, framework_id, position);

-- Exactly one target per alignment; one alignment per (outcome, target): the partial unique
-- indexes do what a plain UNIQUE cannot (NULLs are distinct in a UNIQUE constraint).
CREATE TABLE alignments (
    partnership_id TEXT NOT NULL,
    id             TEXT NOT NULL,
    outcome_id     TEXT NOT NULL,
    priority_id    TEXT NULL,
    commitment_id  TEXT NULL,
    indicator_id   TEXT NULL,
    rationale      TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    CHECK ((CASE WHEN priority_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN commitment_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN indicator_id IS NULL THEN 0 ELSE 1 END) = 1),
    FOREIGN KEY (partnership_id, outcome_id) REFERENCES outcomes (partnership_id, id) ON DELETE CASCADE,
    FOREIGN KEY (partnership_id, priority_id) REFERENCES priorities (partnership_id, id) ON DELETE CASCADE,
    FOREIGN KEY (partnership_id, commitment_id) REFERENCES commitments (partnership_id, id) ON DELETE CASCADE,
    FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_alignments_outcome ON alignments (partnership_id, outcome_id);
CREATE UNIQUE INDEX ux_alignments_priority ON alignments (partnership_id, priority_id, outcome_id) WHERE priority_id IS NOT NULL;
CREATE UNIQUE INDEX ux_alignments_commitment ON alignments (partnership_id, commitment_id, outcome_id) WHERE commitment_id IS NOT NULL;
CREATE UNIQUE INDEX ux_alignments_indicator ON alignments (partnership_id, indicator_id, outcome_id) WHERE indicator_id IS NOT NULL;
