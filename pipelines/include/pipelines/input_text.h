// The first check on a pushed file's text, before any parser sees it: its size against a limit
// (`file-too-large`) and its encoding (`not-utf8`, at the line and column of the first byte that
// is not well-formed UTF-8: a bad lead or continuation byte, an overlong form, a surrogate, or a
// code point past U+10FFFF). Parsers and JSON built from the text rely on it being UTF-8.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "pipelines/diagnostic.h"

namespace slipway::pipelines {

// The byte offset of the first byte that is not well-formed UTF-8, or nullopt.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

// A diagnostic for `file` when the text is over max_bytes or not UTF-8; nullopt when it is fine.
// `what` names the file in the message ("the pipeline file", "the Dockerfile").
std::optional<Diagnostic> CheckInputText(std::string_view text, const std::string& file, const std::string& what,
                                         size_t max_bytes);

}  // namespace slipway::pipelines
