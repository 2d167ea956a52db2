-- Lovcen's schema. One file for SQLite and PostgreSQL: the SQL stays in their common subset,
-- and the two differences (identity columns, large text) come in as Flyway placeholders set by
-- org.lovcen.store.Dialect. Times are microseconds since the epoch (UTC) in BIGINT columns.
-- Every row that belongs to an institution carries institution_id: repositories filter by it.

CREATE TABLE institutions (
  id              VARCHAR(64) PRIMARY KEY,
  name            VARCHAR(256) NOT NULL,
  retention_days  INTEGER NOT NULL DEFAULT 90,
  syslog_sources  VARCHAR(4096) NOT NULL DEFAULT '',
  created         BIGINT NOT NULL
);

CREATE TABLE partners (
  id       VARCHAR(64) PRIMARY KEY,
  name     VARCHAR(256) NOT NULL,
  created  BIGINT NOT NULL
);

CREATE TABLE users (
  id             ${identity},
  name           VARCHAR(128) NOT NULL UNIQUE,
  password_hash  VARCHAR(512) NOT NULL,
  role           VARCHAR(32) NOT NULL,
  institution_id VARCHAR(64) REFERENCES institutions(id),
  partner_id     VARCHAR(64) REFERENCES partners(id),
  disabled       INTEGER NOT NULL DEFAULT 0,
  created        BIGINT NOT NULL
);

-- API, session and ingest tokens; only the SHA-256 of a token is stored.
CREATE TABLE tokens (
  id             ${identity},
  token_hash     VARCHAR(64) NOT NULL UNIQUE,
  kind           VARCHAR(16) NOT NULL,
  name           VARCHAR(256) NOT NULL DEFAULT '',
  user_id        BIGINT REFERENCES users(id),
  institution_id VARCHAR(64) REFERENCES institutions(id),
  created        BIGINT NOT NULL,
  expires        BIGINT,
  revoked        INTEGER NOT NULL DEFAULT 0
);

-- Raw events. id is assigned by the single store writer in ingest order; day (days since the
-- epoch of ts) is the retention partition; fields is the event's field table as a JSON object.
CREATE TABLE events (
  id             BIGINT PRIMARY KEY,
  institution_id VARCHAR(64) NOT NULL,
  ts             BIGINT NOT NULL,
  day            INTEGER NOT NULL,
  host           VARCHAR(512),
  channel        VARCHAR(512),
  provider       VARCHAR(512),
  event_id       INTEGER NOT NULL DEFAULT -1,
  source         VARCHAR(1024),
  record         BIGINT NOT NULL DEFAULT 0,
  fields         ${text} NOT NULL
);
CREATE INDEX events_institution_ts ON events (institution_id, ts);
CREATE INDEX events_institution_host_ts ON events (institution_id, host, ts);
CREATE INDEX events_day ON events (day, institution_id);

-- One row per acknowledged ingest request that carried an idempotency key: a retried request
-- with the same key is answered from here instead of being stored twice.
CREATE TABLE ingest_batches (
  institution_id VARCHAR(64) NOT NULL,
  idem_key       VARCHAR(128) NOT NULL,
  accepted       INTEGER NOT NULL,
  rejected       INTEGER NOT NULL,
  first_event    BIGINT NOT NULL,
  created        BIGINT NOT NULL,
  PRIMARY KEY (institution_id, idem_key)
);

CREATE TABLE incidents (
  id             ${identity},
  institution_id VARCHAR(64) NOT NULL,
  host           VARCHAR(512) NOT NULL,
  title          VARCHAR(1024) NOT NULL,
  level          VARCHAR(16) NOT NULL,
  level_rank     INTEGER NOT NULL,
  status         VARCHAR(32) NOT NULL,
  assignee       VARCHAR(128),
  first_ts       BIGINT NOT NULL,
  last_ts        BIGINT NOT NULL,
  alert_count    INTEGER NOT NULL,
  techniques     ${text} NOT NULL,
  tactics        ${text} NOT NULL,
  rules          ${text} NOT NULL,
  created        BIGINT NOT NULL,
  updated        BIGINT NOT NULL
);
CREATE INDEX incidents_institution_last ON incidents (institution_id, last_ts);
CREATE INDEX incidents_open ON incidents (institution_id, host, status);

CREATE TABLE incident_notes (
  id             ${identity},
  incident_id    BIGINT NOT NULL REFERENCES incidents(id),
  institution_id VARCHAR(64) NOT NULL,
  author         VARCHAR(128) NOT NULL,
  text           ${text} NOT NULL,
  created        BIGINT NOT NULL
);
CREATE INDEX incident_notes_incident ON incident_notes (incident_id);

-- Alerts of every detector. fingerprint is stable across replays (rule + stored event id, or
-- correlation + group + window), so re-detecting after a restart never stores one twice.
CREATE TABLE alerts (
  id             ${identity},
  institution_id VARCHAR(64) NOT NULL,
  fingerprint    VARCHAR(128) NOT NULL,
  kind           VARCHAR(16) NOT NULL,
  rule_id        VARCHAR(128) NOT NULL,
  rule_title     VARCHAR(1024) NOT NULL,
  level          VARCHAR(16) NOT NULL,
  level_rank     INTEGER NOT NULL,
  author         VARCHAR(1024),
  tags           ${text} NOT NULL,
  ts             BIGINT NOT NULL,
  last_ts        BIGINT NOT NULL,
  host           VARCHAR(512),
  channel        VARCHAR(512),
  event_ref      BIGINT,
  fields         ${text} NOT NULL,
  grp            ${text} NOT NULL,
  evidence       ${text} NOT NULL,
  incident_id    BIGINT REFERENCES incidents(id),
  retrospective  INTEGER NOT NULL DEFAULT 0,
  created        BIGINT NOT NULL,
  UNIQUE (institution_id, fingerprint)
);
CREATE INDEX alerts_institution_ts ON alerts (institution_id, ts);
CREATE INDEX alerts_incident ON alerts (incident_id);
CREATE INDEX alerts_rule ON alerts (rule_id, ts);

-- What a partner may see: incidents shared with it explicitly.
CREATE TABLE shares (
  partner_id     VARCHAR(64) NOT NULL REFERENCES partners(id),
  incident_id    BIGINT NOT NULL REFERENCES incidents(id),
  institution_id VARCHAR(64) NOT NULL,
  created        BIGINT NOT NULL,
  PRIMARY KEY (partner_id, incident_id)
);

-- Per-institution rule switches and Sigma filters.
CREATE TABLE rule_settings (
  institution_id VARCHAR(64) NOT NULL REFERENCES institutions(id),
  rule_id        VARCHAR(128) NOT NULL,
  enabled        INTEGER NOT NULL,
  updated        BIGINT NOT NULL,
  PRIMARY KEY (institution_id, rule_id)
);

CREATE TABLE filters (
  id             ${identity},
  institution_id VARCHAR(64) NOT NULL REFERENCES institutions(id),
  name           VARCHAR(256) NOT NULL,
  yaml           ${text} NOT NULL,
  created        BIGINT NOT NULL
);

-- Progress markers of the server's own loops (the detection cursor: last event id detected).
CREATE TABLE cursors (
  name   VARCHAR(64) PRIMARY KEY,
  value  BIGINT NOT NULL
);
