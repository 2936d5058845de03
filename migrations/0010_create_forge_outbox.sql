-- What Slipway tells forges and other services (docs/forges.md): commit statuses, the pull request
-- comment and notification webhooks. Each message is stored here when the change it reports is
-- recorded, and a worker sends it later, retrying with back-off: a forge outage or a restart loses
-- none.

-- Per repository: the forge's REST API root (https://api.github.com, https://HOST/api/v1 for Gitea,
-- https://HOST/api/v4 for GitLab; '' sends nothing to the forge), and where notification webhooks
-- go ('' sends none) for which events (a JSON array of event names).
ALTER TABLE repos ADD COLUMN api_url TEXT NOT NULL DEFAULT '';
ALTER TABLE repos ADD COLUMN notify_url TEXT NOT NULL DEFAULT '';
ALTER TABLE repos ADD COLUMN notify_events TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(notify_events));

-- Messages of one (repo_id, topic) are sent in `seq` order, one at a time: a topic is a commit
-- status context at a sha ("status:<sha>:<context>"), a pull request's comment ("comment:<n>") or
-- the repository's notifications ("notify"). A newer status or comment supersedes an older one of
-- its topic that has not been sent; notifications are each sent.
CREATE TABLE forge_outbox (
  id              INTEGER PRIMARY KEY,
  repo_id         INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
  kind            TEXT    NOT NULL CHECK (kind IN ('status', 'comment', 'notify')),
  topic           TEXT    NOT NULL CHECK (length(topic) BETWEEN 1 AND 512),
  seq             INTEGER NOT NULL,
  payload         TEXT    NOT NULL CHECK (json_valid(payload)),
  state           TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sent', 'superseded', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT    NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  UNIQUE (repo_id, topic, seq)
);
CREATE INDEX forge_outbox_pending ON forge_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX forge_outbox_finished ON forge_outbox (finished_at) WHERE state <> 'pending';

-- The one comment Slipway keeps on each pull request (merge request), updated in place.
CREATE TABLE forge_comments (
  repo_id    INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
  pr_number  INTEGER NOT NULL CHECK (pr_number > 0),
  comment_id TEXT    NOT NULL,
  PRIMARY KEY (repo_id, pr_number)
);
