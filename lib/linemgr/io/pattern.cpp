#include <linemgr/io/pattern.hpp>

#include <re2/re2.h>

#include <fmt/format.h>

namespace linemgr::io {

namespace {

class re2_pattern final : public core::text_pattern {
 public:
  explicit re2_pattern(std::unique_ptr<const re2::RE2> re) : re_(std::move(re)) {}
  bool full_match(std::string_view text) const override { return re2::RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_); }

 private:
  std::unique_ptr<const re2::RE2> re_;
};

}  // namespace

core::result<std::shared_ptr<const core::text_pattern>> compile_pattern(std::string_view source) {
  if (source.size() > max_pattern_length)
    return core::error{core::error_kind::config, fmt::format("is {} characters long; at most {}", source.size(), max_pattern_length)};
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(max_pattern_memory);
  options.set_encoding(re2::RE2::Options::EncodingUTF8);
  auto re = std::make_unique<const re2::RE2>(re2::StringPiece(source.data(), source.size()), options);
  if (!re->ok())
    return core::error{core::error_kind::config, fmt::format("\"{}\" is not a pattern linemgr can use: {} (RE2 syntax: no "
                                                             "back-references or look-around)", source, re->error())};
  return std::shared_ptr<const core::text_pattern>(std::make_shared<re2_pattern>(std::move(re)));
}

}  // namespace linemgr::io
