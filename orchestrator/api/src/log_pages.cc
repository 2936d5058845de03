#include "api/log_pages.h"

#include "api/sinks.h"
#include "common/log.h"

namespace slipway::api {
namespace {

struct Pager {
  const Router& router;
  core::Queries& queries;
  int64_t job_id;
  int attempt;
  int64_t after;
  std::shared_ptr<http::ResponseWriter> writer;
  std::function<std::string(const store::LogChunk&)> format;
  std::function<void(int64_t)> done;
};

void ReadPage(const std::shared_ptr<Pager>& p) {
  p->router.Post([p] {
    if (p->writer->Closed()) return;
    auto chunks = p->queries.LogPage(p->job_id, p->attempt, p->after);
    if (!chunks.ok()) {
      LogError("log read failed", {{"job", std::to_string(p->job_id)}, {"error", chunks.status().message()}});
      p->writer->Write("\n(slipwayd: the rest of the log could not be read)\n");
      p->writer->Close();
      return;
    }
    std::string page;
    for (const auto& c : *chunks) {
      page += p->format(c);
      p->after = c.seq;
    }
    if (!page.empty()) p->writer->Write(std::move(page));
    if (chunks->size() < static_cast<size_t>(core::Queries::kLogPageChunks)) return p->done(p->after);
    p->writer->OnDrained([p] { ReadPage(p); });
  });
}

}  // namespace

void SendLogPages(const Router& router, core::Queries& queries, int64_t job_id, int attempt, int64_t after_seq,
                  std::shared_ptr<http::ResponseWriter> writer,
                  std::function<std::string(const store::LogChunk&)> format, std::function<void(int64_t)> done) {
  auto pager = std::make_shared<Pager>(
      Pager{router, queries, job_id, attempt, after_seq, writer, std::move(format), std::move(done)});
  writer->OnDrained([pager] { ReadPage(pager); });  // after the stream's head, so a page meets an empty queue
}

void FollowLog(const Router& router, core::Coordinator& c, int64_t job_id, int attempt, int64_t after_seq,
               std::shared_ptr<http::ResponseWriter> writer) {
  auto as_event = [attempt](const store::LogChunk& chunk) { return core::LogEventFrame(chunk, attempt); };
  SendLogPages(router, c.queries(), job_id, attempt, after_seq, writer, as_event,
               [&router, &c, job_id, attempt, writer](int64_t last) {
                 auto more = c.FollowLogFrom(job_id, attempt, last, EventSinkOn(writer));
                 if (!more.ok()) {
                   LogError("log follow failed", {{"job", std::to_string(job_id)}, {"error", more.status().message()}});
                   return writer->Close();
                 }
                 if (!*more) return;  // following the live log now
                 writer->OnDrained([&router, &c, job_id, attempt, writer, seq = **more] {
                   FollowLog(router, c, job_id, attempt, seq, writer);
                 });
               });
}

}  // namespace slipway::api
