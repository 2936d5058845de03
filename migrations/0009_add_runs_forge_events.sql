-- Runs started by pull requests and tags, and the approval that holds a fork's pull request.
-- The trigger CHECK gains 'pull_request' and 'tag'; SQLite cannot change a CHECK in place, so the
-- table is rebuilt (the runner applies migrations with foreign keys off and checks them before
-- committing). New columns:
--   pr_number ... pr_fork  the pull (merge) request a 'pull_request' run builds; NULL/'' otherwise
--   tag                    the tag a 'tag' run builds ("v1.2.3"); '' otherwise
--   web_url                the repository's web page as the forge's payload gave it ('' unknown)
--   before_sha             the commit the push moved from (compare view); '' unknown
--   approval               '' none needed, 'awaiting' (held: a fork's pull request), 'approved'
CREATE TABLE runs_new (
  id               INTEGER PRIMARY KEY,
  repo_id          INTEGER NOT NULL REFERENCES repos (id),
  number           INTEGER NOT NULL,
  branch           TEXT    NOT NULL,
  sha              TEXT    NOT NULL,
  message          TEXT    NOT NULL DEFAULT '',
  author           TEXT    NOT NULL DEFAULT '',
  trigger          TEXT    NOT NULL
                   CHECK (trigger IN ('push', 'manual', 'rerun', 'base-update', 'schedule',
                                      'pull_request', 'tag')),
  parent_run_id    INTEGER REFERENCES runs (id),
  status           TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'success', 'failure', 'canceled', 'error',
                                     'skipped')),
  error            TEXT    NOT NULL DEFAULT '',
  diagnostics      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(diagnostics)),
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  cancel_reason    TEXT,
  pr_number        INTEGER CHECK (pr_number IS NULL OR pr_number > 0),
  pr_title         TEXT    NOT NULL DEFAULT '',
  pr_source_branch TEXT    NOT NULL DEFAULT '',
  pr_target_branch TEXT    NOT NULL DEFAULT '',
  pr_source_repo   TEXT    NOT NULL DEFAULT '',
  pr_fork          INTEGER NOT NULL DEFAULT 0 CHECK (pr_fork IN (0, 1)),
  tag              TEXT    NOT NULL DEFAULT '',
  web_url          TEXT    NOT NULL DEFAULT '',
  before_sha       TEXT    NOT NULL DEFAULT '',
  approval         TEXT    NOT NULL DEFAULT '' CHECK (approval IN ('', 'awaiting', 'approved')),
  approved_at      INTEGER,
  UNIQUE (repo_id, number)
);
INSERT INTO runs_new (id, repo_id, number, branch, sha, message, author, trigger, parent_run_id,
                      status, error, diagnostics, created_at, started_at, finished_at, cancel_reason)
  SELECT id, repo_id, number, branch, sha, message, author, trigger, parent_run_id, status, error,
         diagnostics, created_at, started_at, finished_at, cancel_reason
  FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX runs_by_repo ON runs (repo_id, id);
CREATE INDEX runs_by_repo_branch ON runs (repo_id, branch, id);
CREATE INDEX runs_by_status ON runs (status, id);
CREATE INDEX runs_by_branch ON runs (branch, id);
CREATE INDEX runs_unfinished ON runs (id) WHERE status IN ('pending', 'running');
-- A pull request's unfinished runs are found by number when it closes.
CREATE INDEX runs_by_pull_request ON runs (repo_id, pr_number) WHERE pr_number IS NOT NULL;

-- What a pull request from a fork does: 'run' (builds at once), 'approve' (held until an admin
-- approves the run), 'ignore' (starts nothing). Fork runs never push and never get secrets.
ALTER TABLE repos ADD COLUMN fork_pull_requests TEXT NOT NULL DEFAULT 'approve'
  CHECK (fork_pull_requests IN ('run', 'approve', 'ignore'));
