// Where core's answers go, without core knowing HTTP: an event stream a dashboard or CLI follows,
// and a long-poll the Coordinator holds until it has an answer. orchestrator/api adapts its HTTP
// response writers to these (api/sinks.h).
//
// Thread-safety: implementations accept calls from any thread.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "protocol/agent_protocol.h"

namespace slipway::core {

// An open event stream (SSE): text frames in order, then its end.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Write(std::string frame) = 0;
  virtual void Close() = 0;
  // True once the reader has gone or the stream has ended: it takes no more frames.
  virtual bool Closed() const = 0;
};

// A long-poll: answered once, now or later.
template <typename T>
class LongPoll {
 public:
  virtual ~LongPoll() = default;
  // Later calls are ignored.
  virtual void Answer(T answer) = 0;
  // True once the asker has gone or was answered: nothing is granted to it then.
  virtual bool Closed() const = 0;
};

// An agent asking for work: the lease offered, or nullopt when no job came within the wait.
using LeasePoll = LongPoll<std::optional<protocol::LeaseOffer>>;
// An agent renewing its lease: whether to cancel, or kConflict when the lease is not held.
using RenewPoll = LongPoll<Result<protocol::RenewAnswer>>;

}  // namespace slipway::core
