#include <catch2/catch.hpp>

#include "common/redact.h"
#include "common/strings.h"

namespace slipway {

TEST_CASE("RedactUrlCredentials removes the user information of URLs") {
  CHECK(RedactUrlCredentials("commit abc is not in http://deploy:s3cr3t-token@127.0.0.1:3000/shop.git") ==
        "commit abc is not in http://***@127.0.0.1:3000/shop.git");
  CHECK(RedactUrlCredentials("https://ghp_TOKEN@github.com/a/b and ssh://git:pw@host:22/x") ==
        "https://***@github.com/a/b and ssh://***@host:22/x");
  CHECK(RedactUrlCredentials("fatal: unable to access 'http://u:p@h/r.git/': 403") ==
        "fatal: unable to access 'http://***@h/r.git/': 403");
  // An '@' after the authority is a path or a query, not a credential.
  CHECK(RedactUrlCredentials("http://host/path@v1?x=a@b") == "http://host/path@v1?x=a@b");
  CHECK(RedactUrlCredentials("no url here, just mail@example.com") == "no url here, just mail@example.com");
  CHECK(RedactUrlCredentials("://odd@x") == "://odd@x");
  CHECK(RedactUrlCredentials("") == "");
}

TEST_CASE("Redact replaces known secrets, long enough ones only") {
  const std::vector<std::string> secrets = {"admin-token-1234", "abc", ""};
  CHECK(Redact("Bearer admin-token-1234 twice admin-token-1234", secrets) == "Bearer *** twice ***");
  CHECK(Redact("abc stays: too short to be a secret", secrets) == "abc stays: too short to be a secret");
  CHECK(Redact("clone http://x:admin-token-1234@h/r", secrets) == "clone http://***@h/r");
}

TEST_CASE("UrlCredential finds the password, else the user") {
  CHECK(UrlCredential("http://deploy:TOKEN123@h/r.git") == "TOKEN123");
  CHECK(UrlCredential("https://ghp_abcdef@github.com/a/b") == "ghp_abcdef");
  CHECK(UrlCredential("http://h/r.git").empty());
  CHECK(UrlCredential("/srv/git/r.git").empty());
}

TEST_CASE("EncodedForms hides a secret printed as base64, inside longer base64, or URL-encoded") {
  const std::string secret = "pip-T0ken/with+odd chars";
  const std::vector<std::string> forms = EncodedForms({secret});
  auto redact = [&](const std::string& text) { return Redact(text, forms); };
  CHECK(redact("plain " + secret + " end") == "plain *** end");
  CHECK(redact("b64 " + Base64Encode(secret)) == "b64 ***");
  // `echo "$S" | base64` encodes a trailing newline too; "user:$S" shifts the secret's alignment.
  for (const std::string& wrapped :
       {secret + "\n", "u:" + secret, "ab:" + secret + "!", "x" + secret}) {
    std::string encoded = Base64Encode(wrapped);
    std::string shown = redact("auth " + encoded);
    INFO(wrapped << " -> " << encoded << " -> " << shown);
    CHECK(shown.find("***") != std::string::npos);
    CHECK(shown.size() < encoded.size());
    CHECK(shown.size() <= std::string("auth ").size() + 3 + 4 + 4);  // at most a group either side
  }
  CHECK(redact("url pip-T0ken%2Fwith%2Bodd%20chars.") == "url ***.");
  CHECK(redact("url pip-T0ken%2fwith%2bodd%20chars") == "url ***");
  CHECK(redact("form pip-T0ken%2Fwith%2Bodd+chars") == "form ***");
  // Longest first: the base64 form is replaced whole, not left with its padding.
  CHECK(forms.front().size() >= forms.back().size());
  CHECK(EncodedForms({"short"}).empty());
}

}  // namespace slipway
