// Schema migrations: the SQL files of migrations/ (NNNN_verb_object.sql), embedded in the binary at
// build time so the daemon never reads the source tree. Forward-only; Database::Open applies the
// ones a database lacks, each in its own transaction, and records them in `schema_migrations`.
//
// Thread-safety: the embedded list is immutable and safe to read from any thread.
#pragma once

#include <span>
#include <string_view>

namespace slipway::store {

struct Migration {
  int version;            // NNNN, from 1 without gaps
  std::string_view name;  // "create_core_tables"
  std::string_view sql;   // one or more statements
};

// Every migration of migrations/, sorted by version (generated at build time).
std::span<const Migration> EmbeddedMigrations();

}  // namespace slipway::store
