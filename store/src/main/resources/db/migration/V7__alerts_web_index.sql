-- The websites' current attacks: web alerts of one institution's site by their last time (a web
-- alert's last time moves forward while its attack goes on). Partial, so that the alerts of the
-- other detectors, by far the most, cost this index nothing on insert. Queries name kind = 'web'
-- literally, for both databases' planners to use it.
CREATE INDEX alerts_web_site ON alerts (institution_id, host, last_ts) WHERE kind = 'web';
