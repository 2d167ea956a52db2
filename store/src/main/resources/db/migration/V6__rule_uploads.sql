-- Sigma rule files uploaded through the API (POST /api/v1/rules/uploads) and run beside the
-- rules of rules.paths: national (institution_id null: every institution's events) or one
-- institution's (only its events). The YAML is kept as uploaded; the server compiles it into the
-- engine at start, on upload and deletion, and on every rule reload.
CREATE TABLE rule_uploads (
  id             ${identity},
  institution_id VARCHAR(64) REFERENCES institutions(id),
  name           VARCHAR(256) NOT NULL,
  yaml           ${text} NOT NULL,
  created        BIGINT NOT NULL,
  created_by     VARCHAR(128) NOT NULL
);
CREATE INDEX rule_uploads_institution ON rule_uploads (institution_id);
