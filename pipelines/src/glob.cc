#include "pipelines/glob.h"

#include <vector>

#include "pipelines/limits.h"

namespace slipway::pipelines {
namespace {

// Memoised matcher over (pattern index, text index): linear in |pattern| x |text| states, so no
// pattern can make it exponential. "**/" may match zero directories.
class Matcher {
 public:
  Matcher(std::string_view p, std::string_view t)
      : p_(p), t_(t), memo_((p.size() + 1) * (t.size() + 1), -1) {}

  bool At(size_t pi, size_t ti) {
    signed char& m = memo_[pi * (t_.size() + 1) + ti];
    if (m < 0) m = Compute(pi, ti) ? 1 : 0;
    return m == 1;
  }

 private:
  bool Compute(size_t pi, size_t ti) {
    if (pi == p_.size()) return ti == t_.size();
    if (p_[pi] == '*' && pi + 1 < p_.size() && p_[pi + 1] == '*') {
      size_t rest = pi + 2;
      if (rest < p_.size() && p_[rest] == '/' && At(rest + 1, ti)) return true;
      for (size_t i = ti; i <= t_.size(); ++i) {
        if (At(rest, i)) return true;
      }
      return false;
    }
    if (p_[pi] == '*') {
      for (size_t i = ti; i <= t_.size(); ++i) {
        if (At(pi + 1, i)) return true;
        if (i < t_.size() && t_[i] == '/') break;
      }
      return false;
    }
    if (ti == t_.size()) return false;
    if (p_[pi] == '?') return t_[ti] != '/' && At(pi + 1, ti + 1);
    return p_[pi] == t_[ti] && At(pi + 1, ti + 1);
  }

  std::string_view p_;
  std::string_view t_;
  std::vector<signed char> memo_;
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  if (pattern.size() > kMaxGlobPatternBytes || text.size() > kMaxGlobTextBytes) return false;
  return Matcher(pattern, text).At(0, 0);
}

}  // namespace slipway::pipelines
