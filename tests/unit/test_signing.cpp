#include <doctest/doctest.h>

#include <linemgr/webhooks/signing.hpp>

using namespace linemgr::webhooks;

TEST_SUITE("webhooks::signing") {
  TEST_CASE("the Standard Webhooks published test vector") {
    auto key = decode_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    REQUIRE(key);
    CHECK(sign_webhook({*key}, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})") ==
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    CHECK(verify_webhook(*key, "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                         1614265330, R"({"test": 2432232314})"));
    CHECK_FALSE(verify_webhook(*key, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                               1614265331, R"({"test": 2432232314})"));
    CHECK_FALSE(verify_webhook(*key, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                               1614265330, R"({"test": 2432232315})"));
  }

  TEST_CASE("the prefix is optional, and rotation sends two signatures that each verify") {
    auto with = decode_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    auto without = decode_webhook_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    REQUIRE(with);
    REQUIRE(without);
    CHECK(*with == *without);
    auto old_key = decode_webhook_secret("whsec_" + base64_encode(std::string(32, 'k')));
    REQUIRE(old_key);
    const std::string header = sign_webhook({*with, *old_key}, "id", 7, "body");
    CHECK(header.find(' ') != std::string::npos);
    CHECK(verify_webhook(*with, header, "id", 7, "body"));
    CHECK(verify_webhook(*old_key, header, "id", 7, "body"));
  }

  TEST_CASE("secrets that are not base64 or have the wrong length are refused") {
    CHECK_FALSE(decode_webhook_secret("whsec_not base64!"));
    CHECK_FALSE(decode_webhook_secret("whsec_" + base64_encode("short")));
    CHECK(base64_decode("aGk=").value() == "hi");
    CHECK(base64_encode("hi") == "aGk=");
  }
}
