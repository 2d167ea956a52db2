-- Indicators kept by the server, and the TAXII 2.1 collections it serves. Times are microseconds
-- since the epoch (UTC); markings are TLP ranks: 0 none, 1 clear, 2 green, 3 amber,
-- 4 amber+strict, 5 red (the order of org.lovcen.intel.Marking).

-- One row per indicator and source: the same STIX id (or the same value from a list) given by two
-- partners is two rows, each with its own confidence and marking. object is the indicator as a
-- STIX 2.1 indicator object of that one source (lists, CSV and MISP attributes are normalised to
-- one); digest covers its content, so an identical re-import changes nothing. modified is the
-- source's own modified timestamp as given (empty for formats without one).
CREATE TABLE indicators (
  id            ${identity},
  indicator_id  VARCHAR(128) NOT NULL,
  source        VARCHAR(256) NOT NULL,
  origin        VARCHAR(128) NOT NULL,
  name          VARCHAR(1024) NOT NULL DEFAULT '',
  pattern       ${text} NOT NULL,
  confidence    INTEGER NOT NULL DEFAULT -1,
  marking       INTEGER NOT NULL DEFAULT 0,
  valid_from    BIGINT,
  valid_until   BIGINT,
  revoked       INTEGER NOT NULL DEFAULT 0,
  modified      VARCHAR(64) NOT NULL DEFAULT '',
  digest        VARCHAR(64) NOT NULL,
  object        ${text} NOT NULL,
  added         BIGINT NOT NULL,
  updated       BIGINT NOT NULL,
  UNIQUE (indicator_id, source)
);
CREATE INDEX indicators_updated ON indicators (updated);

-- TAXII 2.1 collections of the one API root. max_marking: the highest TLP the collection may
-- carry (objects above it are refused when added and never served); default_marking: the TLP an
-- object without a marking counts as. TLP:RED objects are never served, whatever the collection.
CREATE TABLE taxii_collections (
  id              VARCHAR(64) PRIMARY KEY,
  title           VARCHAR(256) NOT NULL,
  description     VARCHAR(4096) NOT NULL DEFAULT '',
  alias           VARCHAR(128),
  max_marking     INTEGER NOT NULL,
  default_marking INTEGER NOT NULL,
  created         BIGINT NOT NULL,
  UNIQUE (alias)
);

-- Which partners may read and write a collection (the national CERT may do both everywhere).
CREATE TABLE taxii_access (
  collection_id  VARCHAR(64) NOT NULL REFERENCES taxii_collections(id),
  partner_id     VARCHAR(64) NOT NULL REFERENCES partners(id),
  can_read       INTEGER NOT NULL,
  can_write      INTEGER NOT NULL,
  PRIMARY KEY (collection_id, partner_id)
);

-- Every version of every object of a collection. version is the object's modified (or created)
-- in micros, version_text as the object wrote it; date_added is assigned by the server, strictly
-- increasing within a collection, so that added_after and next page without gaps or repeats.
CREATE TABLE taxii_objects (
  id             ${identity},
  collection_id  VARCHAR(64) NOT NULL REFERENCES taxii_collections(id),
  object_id      VARCHAR(256) NOT NULL,
  type           VARCHAR(128) NOT NULL,
  spec_version   VARCHAR(16) NOT NULL,
  version        BIGINT NOT NULL,
  version_text   VARCHAR(64) NOT NULL,
  date_added     BIGINT NOT NULL,
  marking        INTEGER NOT NULL,
  object         ${text} NOT NULL,
  UNIQUE (collection_id, object_id, version),
  UNIQUE (collection_id, date_added)
);
CREATE INDEX taxii_objects_object ON taxii_objects (collection_id, object_id, version);

-- Status resources of TAXII add-objects requests: the counts and the per-object outcomes (JSON).
CREATE TABLE taxii_status (
  id             VARCHAR(64) PRIMARY KEY,
  collection_id  VARCHAR(64) NOT NULL,
  user_name      VARCHAR(128) NOT NULL,
  status         VARCHAR(16) NOT NULL,
  request_ts     BIGINT NOT NULL,
  total          INTEGER NOT NULL,
  success        INTEGER NOT NULL,
  failure        INTEGER NOT NULL,
  pending        INTEGER NOT NULL,
  details        ${text} NOT NULL
);
