#include <linemgr/io/text_sink.hpp>

#include <cerrno>

#include <unistd.h>

namespace linemgr::io {

void fd_sink::write(std::string_view text) {
  for (std::size_t at = 0; ok_ && at < text.size();) {
    const ssize_t n = ::write(fd_, text.data() + at, text.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok_ = false;
    else at += static_cast<std::size_t>(n);
  }
}

void stdio_sink::write(std::string_view text) {
  ok_ = ok_ && std::fwrite(text.data(), 1, text.size(), file_) == text.size();
}

bool stdio_sink::finish() { return std::fflush(file_) == 0 && ok_; }

}  // namespace linemgr::io
