-- The partnership's areas: its own area (always there), and the wards, LSOAs and other areas it reports on, each with its
-- ONS GSS code, name, type, parent and the dates it is valid between (ward boundaries change: London re-warded 25 boroughs
-- in 2022). The batch push checks an observation's area against these when the partnership's area_check is 'strict'.
CREATE TABLE areas (
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    id             TEXT NOT NULL,
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    parent_code    TEXT NULL,
    valid_from     TEXT NULL,
    valid_to       TEXT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    UNIQUE (partnership_id, code),
    FOREIGN KEY (partnership_id, parent_code) REFERENCES areas (partnership_id, code)
);
CREATE INDEX ix_areas_parent ON areas (partnership_id, parent_code);

-- 'strict': a push may send only the partnership's areas, each within its validity. Partnerships that existed before areas
-- did have none registered but their own, so they keep working ('off') until an admin registers their areas and turns the
-- check on. New partnerships are created 'strict' (PartnershipQueries).
ALTER TABLE partnerships ADD COLUMN area_check TEXT NOT NULL DEFAULT 'off';

-- Every partnership's own area, named after the partnership until an admin renames it (a random UUID: these rows predate the
-- API's UUIDv7 ids, and areas are listed by code, not by id).
INSERT INTO areas (partnership_id, id, code, name, type, parent_code, valid_from, valid_to, version, created_at, updated_at)
SELECT p.id,
       lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
             substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       p.area_code, p.name, 'local_authority', NULL, NULL, NULL, 1, p.created_at, p.created_at
FROM partnerships p;
