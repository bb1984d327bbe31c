#include <linemgr/io/text_sink.hpp>

#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "support.hpp"

using namespace linemgr::io;

TEST_SUITE("io::text_sink") {
  TEST_CASE("the stream hands text over in pieces of at most 64 KiB, all of it, in order") {
    struct pieces_sink final : text_sink {
      void write(std::string_view text) override {
        CHECK(text.size() <= 65536);
        ++pieces;
        out.append(text);
      }
      int pieces = 0;
      std::string out;
    } sink;
    sink_stream stream(sink);
    std::string expected;
    for (int i = 0; i < 200000; ++i) {
      const char c = static_cast<char>('a' + i % 26);
      stream.Put(c);
      expected += c;
    }
    stream.Flush();
    CHECK(sink.pieces == 4);
    CHECK(sink.out == expected);
  }

  TEST_CASE("a descriptor's sink writes everything, and after a failed write nothing more") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    fd_sink good(fds[1]);
    good.write("linemgr");
    CHECK(good.ok());
    ::close(fds[1]);
    char got[16] = {};
    CHECK(::read(fds[0], got, sizeof got) == 7);
    CHECK(std::string(got) == "linemgr");
    ::close(fds[0]);
    const int read_only = ::open("/dev/null", O_RDONLY);
    fd_sink bad(read_only);
    bad.write("x");
    CHECK_FALSE(bad.ok());
    bad.write("y");
    CHECK_FALSE(bad.ok());
    ::close(read_only);
  }

  TEST_CASE("a stdio sink says when a write or the flush failed") {
    std::FILE* null = std::fopen("/dev/null", "w");
    stdio_sink fine(null);
    fine.write("text");
    CHECK(fine.finish());
    std::fclose(null);
    std::FILE* full = std::fopen("/dev/full", "w");
    REQUIRE(full);
    stdio_sink failing(full);
    failing.write("text");
    CHECK_FALSE(failing.finish());  // ENOSPC on the flush
    std::fclose(full);
  }
}
