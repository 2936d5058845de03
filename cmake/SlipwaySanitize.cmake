# SLIPWAY_SANITIZE=ON builds every target with AddressSanitizer and UBSan (scripts/test --sanitize).
# SLIPWAY_FUZZ=ON (clang only) also builds the libFuzzer targets under fuzz/; it implies
# SLIPWAY_SANITIZE and adds libFuzzer's coverage instrumentation to all code, so the same tree
# serves the sanitized test suite and the fuzzers.
option(SLIPWAY_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(SLIPWAY_FUZZ "Build the libFuzzer targets under fuzz/ (clang only)" OFF)

if(SLIPWAY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SLIPWAY_FUZZ needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++-14)")
  endif()
  set(SLIPWAY_SANITIZE ON)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(SLIPWAY_SANITIZE)
  # Undefined behaviour stops the program like an ASan report does, so no report goes unnoticed.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
