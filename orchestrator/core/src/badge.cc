#include "core/badge.h"

namespace slipway::core {
namespace {

std::string EscapeXml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Colour(const std::string& status) {
  if (status == "success") return "#3fb950";
  if (status == "failure" || status == "error") return "#e5534b";
  return "#8b949e";
}

}  // namespace

std::string BadgeSvg(const std::string& label, const std::string& status) {
  // About 7 px per character at 11 px Verdana, plus 10 px of padding on each side.
  const int left = 10 + 7 * static_cast<int>(label.size()) + 10;
  const int right = 10 + 7 * static_cast<int>(status.size()) + 10;
  const std::string l = EscapeXml(label), s = EscapeXml(status);
  const std::string width = std::to_string(left + right);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"20\" role=\"img\" "
         "aria-label=\"" + l + ": " + s + "\">\n"
         "  <title>" + l + ": " + s + "</title>\n"
         "  <rect width=\"" + std::to_string(left) + "\" height=\"20\" rx=\"3\" fill=\"#555\"/>\n"
         "  <rect x=\"" + std::to_string(left) + "\" width=\"" + std::to_string(right) +
         "\" height=\"20\" rx=\"3\" fill=\"" + Colour(status) + "\"/>\n"
         "  <g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\n"
         "    <text x=\"" + std::to_string(left / 2) + "\" y=\"14\">" + l + "</text>\n"
         "    <text x=\"" + std::to_string(left + right / 2) + "\" y=\"14\">" + s + "</text>\n"
         "  </g>\n"
         "</svg>\n";
}

}  // namespace slipway::core
