#include <linemgr/io/files.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace linemgr::io {

namespace {

// The folder part of a path ("." for a bare name).
std::string folder_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

status check_input_file(const std::string& path, std::string_view what) {
  if (path == "-") return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return error{error_kind::io, fmt::format("{}: cannot read the {}: {}", path, what, std::strerror(errno))};
  if (S_ISDIR(st.st_mode)) return error{error_kind::io, fmt::format("{}: is a directory; give the {} itself", path, what)};
  if (::access(path.c_str(), R_OK) != 0)
    return error{error_kind::io, fmt::format("{}: cannot read the {}: {}", path, what, std::strerror(errno))};
  return {};
}

result<std::string> read_input_file(const std::string& path, std::string_view what, error_kind kind, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error{kind, fmt::format("{}: cannot read the {}: {}", path, what, std::strerror(errno))};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return error{kind, fmt::format("{}: is a directory; give the {} itself", path, what)};
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      return error{kind, fmt::format("{}: cannot read the {}: {}", path, what, std::strerror(saved))};
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      ::close(fd);
      return error{kind, fmt::format("{}: the {} is larger than {} bytes; is it the right file?", path, what, max_bytes)};
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

std::optional<std::string> not_replaceable(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return std::nullopt;
  if (S_ISLNK(st.st_mode) && (::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode))) return std::nullopt;
  const char* kind = S_ISDIR(st.st_mode) ? "a directory" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                     : S_ISFIFO(st.st_mode)                    ? "a pipe"
                     : S_ISSOCK(st.st_mode)                    ? "a socket"
                                                               : "not a regular file";
  return fmt::format("is {}; linemgr writes a new file and renames it into place, so give a file name (or - for standard output)", kind);
}

status check_output_file(const std::string& path, std::string_view what) {
  if (path.empty()) return error{error_kind::io, fmt::format("the {} needs a file name", what)};
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return error{error_kind::io, fmt::format("{}: is a directory; give a file name for the {}", path, what)};
  if (auto why = not_replaceable(path)) return error{error_kind::io, fmt::format("{}: {}", path, *why)};
  const std::string folder = folder_of(path);
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return error{error_kind::io, fmt::format("{}: cannot write the {}: the folder {} does not exist", path, what, folder)};
  if (::access(folder.c_str(), W_OK) != 0)
    return error{error_kind::io, fmt::format("{}: cannot write the {}: the folder {} is not writable", path, what, folder)};
  return {};
}

}  // namespace linemgr::io
