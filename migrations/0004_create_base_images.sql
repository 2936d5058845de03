-- The base images each successful job was built from, with the digest they had then: what a base
-- check compares with the bases' current digests to start base-update runs.

-- One row per (job, base reference, digest). Branch and stage are copied from the run and the job so
-- a check reads one table; the run gives the commit to rebuild.
CREATE TABLE base_images (
  id         INTEGER PRIMARY KEY,
  job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  repo_id    INTEGER NOT NULL REFERENCES repos (id),
  branch     TEXT    NOT NULL,
  stage      TEXT    NOT NULL,                           -- the job's name
  ref        TEXT    NOT NULL CHECK (ref <> ''),         -- as the Dockerfile names it
  digest     TEXT    NOT NULL CHECK (digest GLOB 'sha256:*'),
  source     TEXT    NOT NULL CHECK (source IN ('engine', 'registry')),
  created_at INTEGER NOT NULL,
  UNIQUE (job_id, ref, digest)
);
-- A check reads, per branch, the newest successful run that recorded bases.
CREATE INDEX base_images_by_branch ON base_images (repo_id, branch, run_id);
