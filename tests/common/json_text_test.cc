#include "common/json_text.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using slipway::JsonText;

TEST_CASE("JsonText writes bytes that are not UTF-8 as U+FFFD instead of throwing") {
  nlohmann::json value = {{"message", "caf\xe9"}, {"ok", "caf\xc3\xa9"}};
  CHECK_THROWS(value.dump());  // what a plain dump does with pushed bytes
  CHECK(JsonText(value) == "{\"message\":\"caf\xef\xbf\xbd\",\"ok\":\"caf\xc3\xa9\"}");
  CHECK(JsonText(nlohmann::json::array({1}), 2) == "[\n  1\n]");
}
