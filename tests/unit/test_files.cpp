// io::files: inputs and outputs checked before any work, with one line that names the path.
#include <cstdio>
#include <string>

#include <doctest/doctest.h>
#include <unistd.h>

#include <linemgr/io/files.hpp>

using namespace linemgr::io;

TEST_SUITE("io::files") {
  TEST_CASE("an input that is a directory, missing or too large is refused with its path") {
    auto dir = read_input_file("/tmp", "configuration file", error_kind::config, 1024);
    REQUIRE_FALSE(dir);
    CHECK(dir.err().kind == error_kind::config);
    CHECK(dir.err().message == "/tmp: is a directory; give the configuration file itself");
    auto missing = read_input_file("/nonexistent/x.toml", "configuration file", error_kind::config, 1024);
    REQUIRE_FALSE(missing);
    CHECK(missing.err().message == "/nonexistent/x.toml: cannot read the configuration file: No such file or directory");
    char name[] = "/tmp/linemgr-files-XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, "0123456789", 10) == 10);
    close(fd);
    auto fits = read_input_file(name, "file", error_kind::io, 10);
    REQUIRE(fits);
    CHECK(*fits == "0123456789");
    auto big = read_input_file(name, "file", error_kind::io, 9);
    REQUIRE_FALSE(big);
    CHECK(big.err().message == std::string(name) + ": the file is larger than 9 bytes; is it the right file?");
    CHECK(check_input_file(name, "snapshot file"));
    CHECK(check_input_file("-", "snapshot file"));  // standard input
    CHECK(check_input_file("/tmp", "snapshot file").err().message == "/tmp: is a directory; give the snapshot file itself");
    std::remove(name);
  }

  TEST_CASE("an output must be a file name in a folder that exists") {
    CHECK(check_output_file("/tmp/linemgr-out.json", "snapshot to write"));
    CHECK(check_output_file("relative.json", "snapshot to write"));  // the working directory
    CHECK(check_output_file("/tmp", "snapshot to write").err().message == "/tmp: is a directory; give a file name for the snapshot to write");
    CHECK(check_output_file("/nonexistent/dir/out.json", "plan").err().message ==
          "/nonexistent/dir/out.json: cannot write the plan: the folder /nonexistent/dir does not exist");
    CHECK(check_output_file("", "plan").err().kind == error_kind::io);
  }
}
