-- What each image holds, as its builder's agent read it: sizes, layers, waste, packages and OS
-- (the insight report's JSON, without vulnerabilities). A digest names its content, so one row each.
CREATE TABLE image_reports (
  digest     TEXT    PRIMARY KEY,
  report     TEXT    NOT NULL CHECK (json_valid(report)),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The vulnerability data a scan matched against (for the built-in scanner, a fingerprint of its OSV
-- database), so images can be scanned again when the data changes.
ALTER TABLE scans ADD COLUMN data_version TEXT NOT NULL DEFAULT '';
