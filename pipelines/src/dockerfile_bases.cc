// Dockerfile::BaseImages: the external images a build target rests on, for base-update checks.
#include <algorithm>
#include <set>

#include "common/strings.h"
#include "pipelines/dockerfile.h"

namespace slipway::pipelines {

std::vector<std::string> Dockerfile::BaseImages(int index) const {
  std::set<int> closure;
  std::vector<int> todo{index};
  while (!todo.empty()) {
    int s = todo.back();
    todo.pop_back();
    if (s < 0 || s >= static_cast<int>(stages.size()) || !closure.insert(s).second) continue;
    for (int d : Dependencies(s)) todo.push_back(d);
  }
  std::vector<std::string> out;
  auto add = [&out](const std::string& ref) {
    if (ref.empty() || AsciiLower(ref) == "scratch" || ref.find('$') != std::string::npos) return;
    if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(ref);
  };
  for (int s : closure) {  // ascending: stage order
    if (!stages[s].base_stage) add(stages[s].base_image);
    for (const std::string& ref : stages[s].from_images) add(ref);
  }
  return out;
}

}  // namespace slipway::pipelines
