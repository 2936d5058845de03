#include "pipelines/matrix.h"

#include "pipelines/tag_template.h"

namespace slipway::pipelines {

std::map<std::string, std::string> MatrixCombination::AsMap() const {
  return {values.begin(), values.end()};
}

long long CountCombinations(const std::vector<MatrixAxis>& axes) {
  long long count = 1;
  for (const MatrixAxis& axis : axes) {
    count *= static_cast<long long>(axis.values.size());
    if (count > kMaxMatrixCombinations) return kMaxMatrixCombinations + 1;
  }
  return count;
}

std::vector<MatrixCombination> ExpandMatrix(const std::vector<MatrixAxis>& axes) {
  std::vector<MatrixCombination> out(1);
  for (const MatrixAxis& axis : axes) {
    std::vector<MatrixCombination> next;
    for (const MatrixCombination& partial : out) {
      for (const std::string& value : axis.values) {
        MatrixCombination c = partial;
        c.values.emplace_back(axis.name, value);
        std::string part = SanitizeTag(value);
        if (part.empty()) part = "_";
        c.suffix += c.suffix.empty() ? part : "-" + part;
        next.push_back(std::move(c));
      }
    }
    out = std::move(next);
  }
  return out;
}

std::string JobName(const std::string& stage, const MatrixCombination& combination) {
  return combination.suffix.empty() ? stage : stage + "-" + combination.suffix;
}

}  // namespace slipway::pipelines
