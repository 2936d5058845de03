#include "api/sinks.h"

#include "api/replies.h"

namespace slipway::api {
namespace {

// What each adapter holds: the writer, closed once the peer has gone or was answered.
template <typename Sink>
class OnWriter : public Sink {
 public:
  explicit OnWriter(WriterPtr writer) : writer_(std::move(writer)) {}
  bool Closed() const override { return writer_->Closed(); }

 protected:
  WriterPtr writer_;
};

class WriterSink : public OnWriter<core::EventSink> {
 public:
  using OnWriter::OnWriter;
  void Write(std::string frame) override { writer_->Write(std::move(frame)); }
  void Close() override { writer_->Close(); }
};

class LeaseOnWriter : public OnWriter<core::LeasePoll> {
 public:
  using OnWriter::OnWriter;
  void Answer(std::optional<protocol::LeaseOffer> lease) override {
    if (!lease) return writer_->Send({.status = 204});
    writer_->Send({.body = protocol::ToBody({{"lease", *lease}})});
  }
};

class RenewalOnWriter : public OnWriter<core::RenewPoll> {
 public:
  using OnWriter::OnWriter;
  void Answer(Result<protocol::RenewAnswer> answer) override {
    if (!answer.ok()) return ReplyStatus(*writer_, answer.status());
    writer_->Send({.body = protocol::ToBody(*answer)});
  }
};

}  // namespace

std::shared_ptr<core::EventSink> EventSinkOn(WriterPtr writer) {
  return std::make_shared<WriterSink>(std::move(writer));
}

std::shared_ptr<core::LeasePoll> LeasePollOn(WriterPtr writer) {
  return std::make_shared<LeaseOnWriter>(std::move(writer));
}

std::shared_ptr<core::RenewPoll> RenewPollOn(WriterPtr writer) {
  return std::make_shared<RenewalOnWriter>(std::move(writer));
}

}  // namespace slipway::api
