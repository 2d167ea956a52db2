-- An alert's revision: 0 when stored, one more each time a later state of its detection completes
-- it (AlertStore.complete: last time, fields, group values, evidence). The campaign linker keeps
-- what it read of each alert and reads again only the alerts that are new or of a new revision.
ALTER TABLE alerts ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
-- The linker's window: the newest alerts by event time, read backwards from the newest (also
-- MAX(ts)), with what it filters and compares in the index itself, so that it reads no alert row
-- it already holds.
CREATE INDEX alerts_ts ON alerts (ts, id, level_rank, revision);
