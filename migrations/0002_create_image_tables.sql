-- Images built by jobs, their layers, and scans of them: the size and scan history per stage.

-- One row per build that produced an image. A fully cached rebuild can produce the same digest
-- again, so the digest is not the key: (digest, job_id) is.
CREATE TABLE images (
  id                    INTEGER PRIMARY KEY,
  digest                TEXT    NOT NULL,
  repo_id               INTEGER NOT NULL REFERENCES repos (id),
  job_id                INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  stage                 TEXT    NOT NULL,
  branch                TEXT    NOT NULL,
  sha                   TEXT    NOT NULL,
  ref                   TEXT    NOT NULL DEFAULT '',
  size_bytes            INTEGER NOT NULL CHECK (size_bytes >= 0),
  compressed_size_bytes INTEGER CHECK (compressed_size_bytes >= 0),  -- NULL: not pushed
  created_at            INTEGER NOT NULL,
  UNIQUE (digest, job_id)
);
CREATE INDEX images_by_digest ON images (digest, id);
CREATE INDEX images_by_stage ON images (repo_id, stage, branch, id);

-- An image digest names its content, so its layers are stored once per digest.
CREATE TABLE layers (
  image_digest          TEXT    NOT NULL,
  idx                   INTEGER NOT NULL,
  digest                TEXT    NOT NULL DEFAULT '',
  size_bytes            INTEGER NOT NULL CHECK (size_bytes >= 0),
  compressed_size_bytes INTEGER CHECK (compressed_size_bytes >= 0),
  instruction           TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (image_digest, idx)
) WITHOUT ROWID;

CREATE TABLE scans (
  id           INTEGER PRIMARY KEY,
  image_digest TEXT    NOT NULL,
  scanner      TEXT    NOT NULL,
  finished_at  INTEGER NOT NULL,
  summary      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(summary)),
  findings     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(findings))
);
CREATE INDEX scans_by_image ON scans (image_digest, scanner, finished_at);
