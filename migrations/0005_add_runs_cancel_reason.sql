-- A cancel asked of a run that still has jobs running is kept here until the run ends, so a
-- restarted orchestrator asks the agents to stop again. NULL: no cancel was asked.
ALTER TABLE runs ADD COLUMN cancel_reason TEXT;
