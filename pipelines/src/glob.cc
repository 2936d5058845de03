#include "pipelines/glob.h"

#include <vector>

#include "pipelines/limits.h"

namespace slipway::pipelines {
namespace {

// Memoised matcher over (pattern index, text index), with O(1) work per state: a match costs at
// most 2 x |pattern| x |text| steps whatever the stars. "**/" may match zero directories.
class Matcher {
 public:
  Matcher(std::string_view p, std::string_view t)
      : p_(p), t_(t), memo_((p.size() + 1) * (t.size() + 1), -1), any_memo_(memo_.size(), -1) {}

  bool At(size_t pi, size_t ti) { return Memo(memo_, pi, ti, [&] { return Compute(pi, ti); }); }

 private:
  template <typename F>
  bool Memo(std::vector<signed char>& memo, size_t pi, size_t ti, F compute) {
    signed char& m = memo[pi * (t_.size() + 1) + ti];
    if (m < 0) m = compute() ? 1 : 0;
    return m == 1;
  }

  // The `**` at pi matches t_[ti..i) for some i, then the rest of the pattern matches from i.
  bool AnyRun(size_t pi, size_t ti) {
    return Memo(any_memo_, pi, ti, [&] { return At(pi + 2, ti) || (ti < t_.size() && AnyRun(pi, ti + 1)); });
  }

  bool Compute(size_t pi, size_t ti) {
    if (pi == p_.size()) return ti == t_.size();
    if (p_[pi] == '*' && pi + 1 < p_.size() && p_[pi + 1] == '*') {
      size_t rest = pi + 2;
      if (rest < p_.size() && p_[rest] == '/' && At(rest + 1, ti)) return true;
      return AnyRun(pi, ti);
    }
    if (p_[pi] == '*') return At(pi + 1, ti) || (ti < t_.size() && t_[ti] != '/' && At(pi, ti + 1));
    if (ti == t_.size()) return false;
    if (p_[pi] == '?') return t_[ti] != '/' && At(pi + 1, ti + 1);
    return p_[pi] == t_[ti] && At(pi + 1, ti + 1);
  }

  std::string_view p_;
  std::string_view t_;
  std::vector<signed char> memo_;
  std::vector<signed char> any_memo_;
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  if (pattern.size() > kMaxGlobPatternBytes || text.size() > kMaxGlobTextBytes) return false;
  return Matcher(pattern, text).At(0, 0);
}

}  // namespace slipway::pipelines
