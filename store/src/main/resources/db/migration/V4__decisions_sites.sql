-- Website decisions and per-minute site statistics (lovcen serve's web detection). Times are
-- microseconds since the epoch (UTC), on the server's clock unless named otherwise.

-- Ban or captcha of an address (scope 'ip') or a network (scope 'range') for one institution's
-- sites. origin: 'detector' (the website detectors; scenario is the detector or Sigma rule id),
-- 'analyst' (created through the API), 'case'. A decision is active while revoked_at is null and
-- until lies ahead; updated moves whenever it is created, extended or revoked (bouncers' streams
-- read by it). detected is the log time of the detection (detector decisions).
CREATE TABLE decisions (
  id             ${identity},
  institution_id VARCHAR(64) NOT NULL,
  scope          VARCHAR(16) NOT NULL,
  value          VARCHAR(64) NOT NULL,
  type           VARCHAR(16) NOT NULL,
  scenario       VARCHAR(128) NOT NULL,
  reason         VARCHAR(1024) NOT NULL,
  origin         VARCHAR(16) NOT NULL,
  site           VARCHAR(512),
  created        BIGINT NOT NULL,
  created_by     VARCHAR(128),
  updated        BIGINT NOT NULL,
  until          BIGINT NOT NULL,
  revoked_at     BIGINT,
  revoked_by     VARCHAR(128),
  alert_id       BIGINT,
  incident_id    BIGINT,
  detected       BIGINT
);
CREATE INDEX decisions_institution_created ON decisions (institution_id, created);
CREATE INDEX decisions_updated ON decisions (updated);
CREATE INDEX decisions_value ON decisions (institution_id, scope, value);

-- Requests per institution, site and minute (minute: its first microsecond, log time); sources
-- is the estimated number of distinct client addresses, sketch the estimator's registers (hex),
-- so that minutes written in several batches, and minutes summed into longer steps, still count
-- an address once.
CREATE TABLE site_minutes (
  institution_id VARCHAR(64) NOT NULL,
  site           VARCHAR(512) NOT NULL,
  minute         BIGINT NOT NULL,
  requests       BIGINT NOT NULL,
  status_4xx     BIGINT NOT NULL,
  status_5xx     BIGINT NOT NULL,
  bytes          BIGINT NOT NULL,
  sources        INTEGER NOT NULL,
  sketch         ${text} NOT NULL,
  PRIMARY KEY (institution_id, site, minute)
);
