// core's sinks (core/sinks.h) on an HTTP response writer: an event stream is the writer's open
// body (begun as text/event-stream by the route), a lease answer is 200 with the lease or 204,
// a renewal answer 200 with whether to cancel or the error through ReplyStatus.
#pragma once

#include <memory>

#include "api/router.h"
#include "core/sinks.h"

namespace slipway::api {

std::shared_ptr<core::EventSink> EventSinkOn(WriterPtr writer);
std::shared_ptr<core::LeasePoll> LeasePollOn(WriterPtr writer);
std::shared_ptr<core::RenewPoll> RenewPollOn(WriterPtr writer);

}  // namespace slipway::api
