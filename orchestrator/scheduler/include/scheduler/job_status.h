// The scheduler speaks the one status vocabulary (common/build_status.h).
#pragma once

#include "common/build_status.h"

namespace slipway::scheduler {

using slipway::IsFinal;
using slipway::JobStatus;
using slipway::JobStatusFromName;
using slipway::JobStatusName;
using slipway::RunStatus;
using slipway::RunStatusFromName;
using slipway::RunStatusName;

}  // namespace slipway::scheduler
