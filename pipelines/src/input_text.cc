#include "pipelines/input_text.h"

#include <cstdio>
#include <string>

namespace slipway::pipelines {
namespace {

// The length of the well-formed sequence starting at text[i], or 0 (Unicode table 3-7).
size_t SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0x100u; };
  auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
  unsigned b0 = byte(i);
  if (b0 < 0x80) return 1;
  if (in(b0, 0xC2, 0xDF)) return in(byte(i + 1), 0x80, 0xBF) ? 2 : 0;
  if (in(b0, 0xE0, 0xEF)) {
    unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    return in(byte(i + 1), lo, hi) && in(byte(i + 2), 0x80, 0xBF) ? 3 : 0;
  }
  if (in(b0, 0xF0, 0xF4)) {
    unsigned lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return in(byte(i + 1), lo, hi) && in(byte(i + 2), 0x80, 0xBF) && in(byte(i + 3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t n = SequenceLength(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::optional<Diagnostic> CheckInputText(std::string_view text, const std::string& file, const std::string& what,
                                         size_t max_bytes) {
  if (text.size() > max_bytes) {
    return MakeError(file, {1, 1}, "file-too-large",
                     what + " is more than " + std::to_string(max_bytes) + " bytes, the limit");
  }
  std::optional<size_t> bad = FirstInvalidUtf8(text);
  if (!bad) return std::nullopt;
  // Column in characters, as editors count them; the line's earlier bytes are valid UTF-8.
  int line = 1, column = 1;
  for (size_t i = 0; i < *bad; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[*bad]));
  return MakeError(file, {line, column}, "not-utf8",
                   what + " is not UTF-8: byte " + hex + " cannot start or continue a character here");
}

}  // namespace slipway::pipelines
