// Matrix expansion: the cartesian product of the axes, in file order.
//
// Each combination becomes one build arg per axis (NAME=value) and a job-name suffix made of the
// values joined by "-", sanitised like a tag: with {PYTHON_VERSION: ["3.11", "3.12"]} the stage
// `test` gives jobs `test-3.11` and `test-3.12`; two axes give `test-3.11-bookworm`. The values
// alone keep names short; the axis names are in each JobSpec's `matrix` field.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pipelines/pipeline.h"

namespace slipway::pipelines {

inline constexpr long long kMaxMatrixCombinations = 64;

struct MatrixCombination {
  std::vector<std::pair<std::string, std::string>> values;  // axis order
  std::string suffix;  // "" for the empty matrix

  std::map<std::string, std::string> AsMap() const;
};

// The number of combinations, saturating at kMaxMatrixCombinations + 1.
long long CountCombinations(const std::vector<MatrixAxis>& axes);

// REQUIRES: CountCombinations(axes) <= kMaxMatrixCombinations. No axes: one empty combination.
std::vector<MatrixCombination> ExpandMatrix(const std::vector<MatrixAxis>& axes);

// "test" + "3.11" -> "test-3.11"; an empty suffix leaves the name alone.
std::string JobName(const std::string& stage, const MatrixCombination& combination);

}  // namespace slipway::pipelines
