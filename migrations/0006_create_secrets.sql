-- Secrets for builds and forges, per repository (repo_id) or server-wide (repo_id NULL). Values
-- are sealed (AES-256-GCM, see common/secret_box.h) with the repository and name as context:
-- no plain column holds a value. `protected` ones reach only default-branch, protected-branch and
-- tag runs.
CREATE TABLE secrets (
  id INTEGER PRIMARY KEY,
  repo_id INTEGER REFERENCES repos (id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  sealed TEXT NOT NULL,
  protected INTEGER NOT NULL DEFAULT 0 CHECK (protected IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX secrets_by_scope_and_name ON secrets (COALESCE(repo_id, 0), name);
