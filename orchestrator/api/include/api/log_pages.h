// A job's log sent from the store page by page (Queries::kLogPageChunks chunks a page): each
// page is read on the router's workers and the next only once the stream has sent the last, so a
// log of any size passes through one page of the server's memory and no lock is held meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/router.h"
#include "core/coordinator.h"

namespace slipway::api {

// Writes the attempt's chunks after after_seq on writer, which has begun a stream, each as
// format(chunk) makes it; then calls done with the last seq written (after_seq when none). A read
// that fails ends the stream with a line saying so. Nothing more happens once the peer has gone.
void SendLogPages(const Router& router, core::Queries& queries, int64_t job_id, int attempt, int64_t after_seq,
                  std::shared_ptr<http::ResponseWriter> writer,
                  std::function<std::string(const store::LogChunk&)> format, std::function<void(int64_t)> done);

// Follows the attempt's log as SSE on writer (begun as text/event-stream): the stored chunks after
// after_seq page by page, then the live ones (Coordinator::FollowLogFrom).
void FollowLog(const Router& router, core::Coordinator& c, int64_t job_id, int attempt, int64_t after_seq,
               std::shared_ptr<http::ResponseWriter> writer);

}  // namespace slipway::api
