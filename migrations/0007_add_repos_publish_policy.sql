-- What a repository's pipelines may publish and ask for, set by the server's administrator
-- (docs/security.md). Each is a JSON array of strings; an empty array sets no rule of that kind.
--   image_prefixes      registry paths its images may be pushed under ("127.0.0.1:5000/shop")
--   protected_tags      tag patterns ("latest", "v*") only protected branches may move
--   protected_branches  branches besides the default branch that may move protected tags
--   agent_labels        labels its jobs may ask agents for ("pool=build", "arch=*")
ALTER TABLE repos ADD COLUMN image_prefixes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(image_prefixes));
ALTER TABLE repos ADD COLUMN protected_tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(protected_tags));
ALTER TABLE repos ADD COLUMN protected_branches TEXT NOT NULL DEFAULT '[]'
  CHECK (json_valid(protected_branches));
ALTER TABLE repos ADD COLUMN agent_labels TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(agent_labels));

-- The SHA-256 of every push body that started a run: the same body again, under any delivery id,
-- starts no second run. Kept as long as the run.
CREATE TABLE push_bodies (
  repo_id     INTEGER NOT NULL REFERENCES repos (id),
  body_sha256 TEXT    NOT NULL CHECK (length(body_sha256) = 64),
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  PRIMARY KEY (repo_id, body_sha256)
);
