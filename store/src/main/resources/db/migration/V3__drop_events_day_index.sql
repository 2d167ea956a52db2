-- Retention deletes by (institution_id, ts) through events_institution_ts; the index on the day
-- column cost every event insert and answered no query.
DROP INDEX events_day;
