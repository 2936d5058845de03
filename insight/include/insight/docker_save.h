// Reads an image straight from the local Docker engine: `docker save IMAGE` is started through
// common/subprocess.h and its output is handed to ReadImageArchive as it arrives, so the tar is
// never written to disk and at most a few chunks of it are held in memory.
//
// Thread-safety: each call is independent; it runs one helper thread for its own duration.
#pragma once

#include <string>

#include "common/status.h"
#include "insight/image.h"

namespace slipway::insight {

// REQUIRES: `docker` on PATH. Unavailable when docker cannot be started, NotFound when the engine
// does not know the image (docker's message included), InvalidArgument for an unreadable archive.
Result<Image> ReadImageFromDocker(const std::string& image_ref);

}  // namespace slipway::insight
