-- Campaigns (alerts of several institutions linked by shared evidence), cases with their tasks,
-- comments, evidence and audit log, and the positions of the notification loops. Times are
-- microseconds since the epoch (UTC).

-- A campaign: hosts of at least two institutions linked by rare shared evidence. first_ts and
-- last_ts span its hosts' alerts; patient zero is the host with the earliest alert.
CREATE TABLE campaigns (
  id              ${identity},
  title           VARCHAR(1024) NOT NULL,
  status          VARCHAR(32) NOT NULL,
  level           VARCHAR(16) NOT NULL,
  level_rank      INTEGER NOT NULL,
  first_ts        BIGINT NOT NULL,
  last_ts         BIGINT NOT NULL,
  zero_institution VARCHAR(64) NOT NULL,
  zero_host       VARCHAR(512) NOT NULL,
  zero_ts         BIGINT NOT NULL,
  institutions    INTEGER NOT NULL,
  hosts           INTEGER NOT NULL,
  score           DOUBLE PRECISION NOT NULL,
  techniques      ${text} NOT NULL,
  created         BIGINT NOT NULL,
  updated         BIGINT NOT NULL
);
CREATE INDEX campaigns_last ON campaigns (last_ts);

-- The hosts of a campaign, one row per institution and host.
CREATE TABLE campaign_hosts (
  campaign_id     BIGINT NOT NULL REFERENCES campaigns(id),
  institution_id  VARCHAR(64) NOT NULL,
  host            VARCHAR(512) NOT NULL,
  first_ts        BIGINT NOT NULL,
  last_ts         BIGINT NOT NULL,
  alert_count     INTEGER NOT NULL,
  techniques      ${text} NOT NULL,
  rules           ${text} NOT NULL,
  PRIMARY KEY (campaign_id, institution_id, host)
);
CREATE INDEX campaign_hosts_institution ON campaign_hosts (institution_id, host);

-- Why two hosts are linked: the shared evidence, each value with its kind and weight (JSON).
CREATE TABLE campaign_links (
  id              ${identity},
  campaign_id     BIGINT NOT NULL REFERENCES campaigns(id),
  institution_a   VARCHAR(64) NOT NULL,
  host_a          VARCHAR(512) NOT NULL,
  institution_b   VARCHAR(64) NOT NULL,
  host_b          VARCHAR(512) NOT NULL,
  score           DOUBLE PRECISION NOT NULL,
  evidence        ${text} NOT NULL
);
CREATE INDEX campaign_links_campaign ON campaign_links (campaign_id);

-- A case: the managed response to an incident, a campaign, or something opened by hand.
-- institution_id is null for the national CERT's own cases (campaigns span institutions).
CREATE TABLE cases (
  id              ${identity},
  title           VARCHAR(1024) NOT NULL,
  description     ${text} NOT NULL,
  status          VARCHAR(32) NOT NULL,
  level           VARCHAR(16) NOT NULL,
  institution_id  VARCHAR(64),
  incident_id     BIGINT REFERENCES incidents(id),
  campaign_id     BIGINT REFERENCES campaigns(id),
  assignee        VARCHAR(128),
  due             BIGINT,
  techniques      ${text} NOT NULL,
  playbooks       ${text} NOT NULL,
  created_by      VARCHAR(128) NOT NULL,
  created         BIGINT NOT NULL,
  updated         BIGINT NOT NULL
);
CREATE INDEX cases_institution ON cases (institution_id, updated);

-- A case's tasks; action names what the task does when run (block_sources, share_indicators,
-- retro_hunt, contain_host) and result what it did.
CREATE TABLE case_tasks (
  id              ${identity},
  case_id         BIGINT NOT NULL REFERENCES cases(id),
  position        INTEGER NOT NULL,
  title           VARCHAR(1024) NOT NULL,
  description     ${text} NOT NULL,
  status          VARCHAR(32) NOT NULL,
  assignee        VARCHAR(128),
  due             BIGINT,
  playbook        VARCHAR(128),
  action          VARCHAR(64),
  params          ${text} NOT NULL,
  result          ${text},
  created         BIGINT NOT NULL,
  updated         BIGINT NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id, position);

CREATE TABLE case_comments (
  id              ${identity},
  case_id         BIGINT NOT NULL REFERENCES cases(id),
  author          VARCHAR(128) NOT NULL,
  text            ${text} NOT NULL,
  created         BIGINT NOT NULL
);
CREATE INDEX case_comments_case ON case_comments (case_id);

-- Evidence attached to a case: a stored event, an alert, an indicator value, a host or a file
-- (its name, media type, SHA-256 and content, base64).
CREATE TABLE case_evidence (
  id              ${identity},
  case_id         BIGINT NOT NULL REFERENCES cases(id),
  kind            VARCHAR(32) NOT NULL,
  ref             VARCHAR(1024) NOT NULL,
  note            ${text} NOT NULL,
  media_type      VARCHAR(128),
  sha256          VARCHAR(64),
  content         ${text},
  added_by        VARCHAR(128) NOT NULL,
  created         BIGINT NOT NULL
);
CREATE INDEX case_evidence_case ON case_evidence (case_id);

-- Who did what to a case, when, with the value before and after (JSON).
CREATE TABLE case_audit (
  id              ${identity},
  case_id         BIGINT NOT NULL REFERENCES cases(id),
  actor           VARCHAR(128) NOT NULL,
  ts              BIGINT NOT NULL,
  action          VARCHAR(64) NOT NULL,
  target          VARCHAR(256) NOT NULL,
  before_value    ${text},
  after_value     ${text}
);
CREATE INDEX case_audit_case ON case_audit (case_id, id);
