// What a test that measures memory must allow for when AddressSanitizer is on: its shadow memory
// and redzones grow every allocation, freed blocks wait in a quarantine (which scripts/test caps at
// 8 MiB with ASAN_OPTIONS=quarantine_size_mb=8), and its allocator keeps freed chunks per size
// class rather than reusing them across sizes (slipwayd grew by about 75 MiB streaming a 100 MiB
// log under ASan, against 7 MiB without). The release run holds the tight bounds; the sanitized
// run checks the same code with this much more room.
#pragma once

#include <cstddef>

namespace slipway::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

// Extra bytes a memory bound allows under AddressSanitizer; none otherwise.
inline constexpr size_t kSanitizerMemorySlack = kAddressSanitizer ? size_t{64} * 1024 * 1024 : 0;

}  // namespace slipway::testing
