#include <linemgr/core/config.hpp>

namespace linemgr::core {

namespace {

// `source` with each "[0-9]" one digit, the rest literal.
class digits_and_literals final : public text_pattern {
 public:
  explicit digits_and_literals(std::string source) {
    for (std::size_t i = 0; i < source.size();) {
      if (source.compare(i, 5, "[0-9]") == 0) {
        parts_.push_back(digit);
        i += 5;
      } else {
        parts_.push_back(source[i++]);
      }
    }
  }
  bool full_match(std::string_view text) const override {
    if (text.size() != parts_.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i)
      if (parts_[i] == digit ? !(text[i] >= '0' && text[i] <= '9') : text[i] != static_cast<char>(parts_[i])) return false;
    return true;
  }

 private:
  static constexpr int digit = -1000;
  std::vector<int> parts_;
};

}  // namespace

std::shared_ptr<const text_pattern> digit_pattern(std::string source) {
  return std::make_shared<digits_and_literals>(std::move(source));
}

}  // namespace linemgr::core
