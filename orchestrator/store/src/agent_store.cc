#include "store/agent_store.h"

#include "rows.h"

namespace slipway::store {
namespace {

Agent ReadAgent(const Statement& s) {
  return Agent{s.ColumnInt(0),  s.ColumnText(1), s.ColumnText(2), static_cast<int>(s.ColumnInt(3)),
               s.ColumnText(4), s.ColumnInt(5),  s.ColumnInt(6)};
}

}  // namespace

Result<Agent> AgentStore::Heartbeat(std::string_view name, std::string_view labels_json,
                                    int capacity, std::string_view version, int64_t now_ms) {
  if (name.empty()) return Status::InvalidArgument("agent name is empty");
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "INSERT INTO agents (name, labels, capacity, version, last_seen_at, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
      " ON CONFLICT (name) DO UPDATE SET labels = excluded.labels, capacity = excluded.capacity,"
      " version = excluded.version, last_seen_at = excluded.last_seen_at"
      " RETURNING id, name, labels, capacity, version, last_seen_at, created_at");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, name)
      .BindText(2, labels_json.empty() ? std::string_view("{}") : labels_json)
      .BindInt(3, int64_t{capacity})
      .BindText(4, version)
      .BindInt(5, now_ms);
  Result<Agent> agent = ReadOne<Agent>(*stmt, ReadAgent, "agent not stored");
  if (!agent.ok()) return agent.status().Annotate("heartbeat of agent " + std::string(name));
  Status done = stmt->Run();
  if (!done.ok()) return done;
  return agent;
}

Status AgentStore::HeardFromHolder(int64_t job_id, int64_t now_ms) {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "UPDATE agents SET last_seen_at = max(last_seen_at, ?2)"
      " WHERE name = (SELECT agent FROM jobs WHERE id = ?1)");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, job_id).BindInt(2, now_ms);
  return stmt->Run();
}

Result<std::vector<Agent>> AgentStore::List() {
  Connection conn = db_.Lock();
  Result<Statement> stmt = conn.Prepare(
      "SELECT id, name, labels, capacity, version, last_seen_at, created_at FROM agents"
      " ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  return ReadAll<Agent>(*stmt, ReadAgent);
}

}  // namespace slipway::store
