-- Core tables: repositories, webhook deliveries, runs, jobs with their steps and logs, agents.
-- Times are integer milliseconds since the epoch (UTC). JSON columns hold JSON text.

CREATE TABLE repos (
  id             INTEGER PRIMARY KEY,
  name           TEXT    NOT NULL UNIQUE,               -- "owner/repo"
  forge          TEXT    NOT NULL CHECK (forge IN ('github', 'gitlab', 'gitea')),
  clone_url      TEXT    NOT NULL,
  secret         TEXT    NOT NULL DEFAULT '',
  default_branch TEXT    NOT NULL DEFAULT 'main',
  created_at     INTEGER NOT NULL
);

CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  repo_id       INTEGER NOT NULL REFERENCES repos (id),
  number        INTEGER NOT NULL,                        -- 1, 2, ... per repository
  branch        TEXT    NOT NULL,
  sha           TEXT    NOT NULL,
  message       TEXT    NOT NULL DEFAULT '',
  author        TEXT    NOT NULL DEFAULT '',
  trigger       TEXT    NOT NULL
                CHECK (trigger IN ('push', 'manual', 'rerun', 'base-update', 'schedule')),
  parent_run_id INTEGER REFERENCES runs (id),
  status        TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'success', 'failure', 'canceled', 'error',
                                  'skipped')),
  error         TEXT    NOT NULL DEFAULT '',
  diagnostics   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(diagnostics)),
  created_at    INTEGER NOT NULL,
  started_at    INTEGER,
  finished_at   INTEGER,
  UNIQUE (repo_id, number)
);
-- GET /api/v1/runs lists newest first (id descending), filtered by repo, branch and status.
CREATE INDEX runs_by_repo ON runs (repo_id, id);
CREATE INDEX runs_by_repo_branch ON runs (repo_id, branch, id);
CREATE INDEX runs_by_status ON runs (status, id);
CREATE INDEX runs_by_branch ON runs (branch, id);
CREATE INDEX runs_unfinished ON runs (id) WHERE status IN ('pending', 'running');

CREATE TABLE webhook_deliveries (
  id          INTEGER PRIMARY KEY,
  forge       TEXT    NOT NULL,
  delivery_id TEXT    NOT NULL,
  repo_id     INTEGER REFERENCES repos (id),             -- NULL: the repository is not known
  event       TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  run_id      INTEGER REFERENCES runs (id),              -- NULL: the delivery started no run
  outcome     TEXT    NOT NULL,                          -- "run", "ping", "filtered", ...
  UNIQUE (forge, delivery_id)
);
-- Deliveries are kept for deduplication at least 72 hours; pruning goes by age.
CREATE INDEX webhook_deliveries_by_received_at ON webhook_deliveries (received_at);

CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name             TEXT    NOT NULL,
  stage            TEXT    NOT NULL,
  spec             TEXT    NOT NULL CHECK (json_valid(spec)),
  needs            TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(needs)),
  status           TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'success', 'failure', 'canceled',
                                     'error', 'skipped')),
  attempt          INTEGER NOT NULL DEFAULT 0,           -- 0 until first leased
  max_attempts     INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  lease_id         TEXT,
  lease_expires_at INTEGER,
  agent            TEXT    NOT NULL DEFAULT '',
  started_at       INTEGER,
  finished_at      INTEGER,
  duration_ms      INTEGER,
  result           TEXT    CHECK (result IS NULL OR json_valid(result)),
  error            TEXT    NOT NULL DEFAULT '',
  UNIQUE (run_id, name)
);
-- Agents name their lease in every request; the lease id finds the job.
CREATE UNIQUE INDEX jobs_by_lease_id ON jobs (lease_id) WHERE lease_id IS NOT NULL;
CREATE INDEX jobs_unfinished ON jobs (run_id) WHERE status IN ('pending', 'running');

CREATE TABLE job_steps (
  job_id       INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idx          INTEGER NOT NULL,
  digest       TEXT    NOT NULL DEFAULT '',
  name         TEXT    NOT NULL DEFAULT '',
  cached       INTEGER NOT NULL DEFAULT 0 CHECK (cached IN (0, 1)),
  started_at   INTEGER,
  completed_at INTEGER,
  duration_ms  INTEGER,
  error        TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (job_id, idx)
) WITHOUT ROWID;

-- The log of each attempt counts its chunks from 0 (see docs/agent-protocol.md), so the attempt is
-- part of the key: a retried job's log does not collide with the previous attempt's.
CREATE TABLE log_chunks (
  job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt    INTEGER NOT NULL,
  seq        INTEGER NOT NULL CHECK (seq >= 0),
  data       BLOB    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, attempt, seq)
) WITHOUT ROWID;

CREATE TABLE agents (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  labels       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(labels)),
  capacity     INTEGER NOT NULL DEFAULT 1 CHECK (capacity >= 0),
  version      TEXT    NOT NULL DEFAULT '',
  last_seen_at INTEGER NOT NULL,
  created_at   INTEGER NOT NULL
);
