#pragma once
// Output written as it is produced, in pieces: a destination (standard output, a descriptor, a
// string) and the buffered stream RapidJSON's writers write into it through.
#include <array>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace linemgr::io {

// Where output goes as it is produced, in pieces.
class text_sink {
 public:
  virtual ~text_sink() = default;
  // Takes the next piece of the output.
  virtual void write(std::string_view text) = 0;
};

// Collects the output in a string.
class string_sink final : public text_sink {
 public:
  void write(std::string_view text) override { out.append(text); }
  std::string out;
};

// Writes to a file descriptor; after a failed write (errno kept) it writes nothing more.
class fd_sink final : public text_sink {
 public:
  explicit fd_sink(int fd) : fd_(fd) {}
  void write(std::string_view text) override;
  // True when every write so far succeeded.
  bool ok() const { return ok_; }

 private:
  int fd_;
  bool ok_ = true;
};

// Writes to a stdio stream (standard output); after a failed write it writes nothing more.
class stdio_sink final : public text_sink {
 public:
  explicit stdio_sink(std::FILE* file) : file_(file) {}
  void write(std::string_view text) override;
  // Flushes: true when every write and the flush succeeded.
  bool finish();

 private:
  std::FILE* file_;
  bool ok_ = true;
};

// A RapidJSON output stream that hands its text to a sink in pieces of 64 KiB.
class sink_stream {
 public:
  using Ch = char;
  explicit sink_stream(text_sink& sink) : sink_(sink) {}
  void Put(Ch c) {
    if (used_ == buffer_.size()) Flush();
    buffer_[used_++] = c;
  }
  // Hands what is buffered to the sink.
  void Flush() {
    if (used_) sink_.write({buffer_.data(), used_});
    used_ = 0;
  }

 private:
  text_sink& sink_;
  std::array<char, 65536> buffer_{};
  std::size_t used_ = 0;
};

}  // namespace linemgr::io
