// What the agent reports for steps and finish, in the protocol's messages (protocol/agent_protocol.h).
//
// Pure. Thread-safety: plain functions.
#pragma once

#include <vector>

#include "agent/buildx_runner.h"
#include "agent/image_inspector.h"
#include "agent/progress_parser.h"
#include "protocol/agent_protocol.h"

namespace slipway::agent {

using protocol::BaseImage;
using protocol::FinishReport;

protocol::StepsReport StepsOf(const std::vector<BuildStep>& steps);
protocol::ImageFacts ImageFactsOf(const ImageInfo& image);

// The finish report for a build outcome: failure with failed_step and log_tail, canceled, or success.
FinishReport ReportFromOutcome(const BuildOutcome& outcome);

}  // namespace slipway::agent
