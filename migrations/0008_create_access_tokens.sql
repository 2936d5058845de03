-- Bearer tokens an admin issues: per-agent tokens (role 'agent', bound to the agent's name and
-- labels, a JSON object) and API tokens (role 'viewer' to read, 'admin' to change things). Only
-- the token's SHA-256 (lower-case hex) is kept. A revoked token keeps its row (revoked_at), so the
-- list shows it; its name may be issued again.
CREATE TABLE access_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  role TEXT NOT NULL CHECK (role IN ('agent', 'viewer', 'admin')),
  labels TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(labels)),
  token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
-- One live token per agent name, and one per name among the API tokens.
CREATE UNIQUE INDEX access_tokens_live_by_name ON access_tokens (role = 'agent', name) WHERE revoked_at IS NULL;
