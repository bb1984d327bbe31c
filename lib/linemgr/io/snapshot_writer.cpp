// Writes `linemgr-snapshot/1` (doc/formats.md §1): one segment flat, several as `segments`.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <linemgr/io/files.hpp>
#include <linemgr/io/json_internal.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include <linemgr/io/text_sink.hpp>

namespace linemgr::io {

namespace {

// Writes a snapshot as `linemgr-snapshot/1` JSON into any RapidJSON writer.
template <class Writer>
class snapshot_writer {
 public:
  snapshot_writer(const snapshot& snap, Writer& w) : snap_(snap), w_(w) {}

  void write() {
    w_.StartObject();
    key("format");
    str("linemgr-snapshot/1");
    if (snap_.today) {
      key("today");
      str(format_date(*snap_.today));
    }
    if (!snap_.organisation.empty()) {
      key("organisation");
      str(snap_.organisation);
    }
    key("classes");
    w_.StartArray();
    for (const class_def& c : snap_.classes) {
      w_.StartObject();
      opt("uuid", c.uuid);
      opt("user_key", c.user_key);
      opt("name", c.name);
      opt("facet", c.facet);
      w_.EndObject();
    }
    w_.EndArray();
    records("units", snap_.units, [&](index_t r) {
      opt("name", snap_.unit_infos[r].name);
      opt("user_key", snap_.unit_infos[r].user_key);
    }, [&](const unit_segment& s) {
      key("parent");
      s.parent_id.empty() ? void(w_.Null()) : str(s.parent_id);
      ref("level", s.level);
      ref("class", s.klass);
    });
    key("persons");
    w_.StartArray();
    for (const person& p : snap_.persons) {
      if (!p.declared) continue;
      w_.StartObject();
      key("id");
      str(p.id);
      opt("name", p.name);
      w_.EndObject();
    }
    w_.EndArray();
    records("engagements", snap_.engagements, nullptr, [&](const engagement_segment& s) {
      person_ref(s.person);
      unit_ref(s.unit);
      ref("type", s.type);
      key("primary");
      w_.Bool(s.primary);
    });
    records("associations", snap_.associations, nullptr, [&](const association_segment& s) {
      person_ref(s.person);
      unit_ref(s.unit);
      ref("type", s.type);
    });
    records("it_users", snap_.it_users, nullptr, [&](const it_user_segment& s) {
      unit_ref(s.unit);
      person_ref(s.person);
      ref("it_system", s.it_system);
    });
    records("managers", snap_.managers, nullptr, [&](const manager_segment& s) {
      person_ref(s.person);
      unit_ref(s.unit);
      ref("level", s.level);
      ref("type", s.type);
      key("responsibilities");
      w_.StartArray();
      for (index_t r : snap_.responsibilities_of(s)) ref_value(r);
      w_.EndArray();
    });
    w_.EndObject();
  }

 private:
  void key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(std::string_view s) { w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
  void opt(std::string_view k, std::string_view v) {
    if (v.empty()) return;
    key(k);
    str(v);
  }
  void ref_value(index_t r) {
    if (r == no_index) {
      w_.Null();
      return;
    }
    const class_ref& c = snap_.class_refs[r];
    if (!c.is_object) {
      str(c.text);
      return;
    }
    w_.StartObject();
    opt("uuid", c.uuid);
    opt("user_key", c.user_key);
    opt("name", c.name);
    w_.EndObject();
  }
  void ref(std::string_view k, index_t r) {
    key(k);
    ref_value(r);
  }
  void person_ref(index_t p) {
    key("person");
    p == no_index ? void(w_.Null()) : str(snap_.persons[p].id);
  }
  void unit_ref(index_t u) {
    key("unit");
    u == no_index ? void(w_.Null()) : str(snap_.units.records[u].id);
  }
  void dates(const period& p) {
    if (p.from != beginning_of_time) {
      key("from");
      str(format_date(p.from));
    }
    key("to");
    p.to == open_end ? void(w_.Null()) : str(format_date(p.to));
  }

  template <class Segment, class Head, class Body>
  void records(std::string_view name, const table<Segment>& t, Head head, Body body) {
    key(name);
    w_.StartArray();
    for (index_t r = 0; r < t.size(); ++r) {
      w_.StartObject();
      key("id");
      str(t.records[r].id);
      if constexpr (!std::is_same_v<Head, std::nullptr_t>) head(r);
      const auto segs = t.segments_of(r);
      if (segs.size() == 1) {
        body(segs[0]);
        dates(segs[0].valid);
      } else {
        key("segments");
        w_.StartArray();
        for (const Segment& s : segs) {
          w_.StartObject();
          body(s);
          dates(s.valid);
          w_.EndObject();
        }
        w_.EndArray();
      }
      w_.EndObject();
    }
    w_.EndArray();
  }

  const snapshot& snap_;
  Writer& w_;
};

// The snapshot's text through `out`, then a newline: one format whatever the destination.
template <class Stream>
void write_snapshot_json(const snapshot& snap, Stream& out) {
  rapidjson::PrettyWriter<Stream> w(out);
  w.SetIndent(' ', 1);
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  snapshot_writer<rapidjson::PrettyWriter<Stream>>(snap, w).write();
  out.Put('\n');
  out.Flush();
}

}  // namespace

std::string snapshot_to_json(const snapshot& snap) {
  rapidjson::StringBuffer buffer;
  write_snapshot_json(snap, buffer);
  return {buffer.GetString(), buffer.GetSize()};
}

namespace {

// The folder a path is in.
std::string folder_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// Gives the written file the name `tmp` (a fresh name beside the target): an unnamed O_TMPFILE
// file is linked in, else `fd` already has that name. False with errno set when it fails.
bool name_unnamed(int fd, const std::string& path, std::string& tmp) {
  const std::string proc = fmt::format("/proc/self/fd/{}", fd);
  std::random_device entropy;
  for (int attempt = 0; attempt < 100; ++attempt) {
    tmp = fmt::format("{}.{:08x}", path, entropy());
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) return true;
    if (errno != EEXIST) return false;
  }
  return false;
}

// Writes a file whole or not at all: `body` writes the contents to a descriptor (false with
// errno set when it fails); "-" is standard output.
status write_atomically(const std::string& path, const std::function<bool(int)>& body) {
  if (path == "-") {
    std::fflush(stdout);
    if (!body(STDOUT_FILENO)) return error{error_kind::io, fmt::format("standard output: write error: {}", std::strerror(errno))};
    return {};
  }
  // A new file of our own beside the target with the mode the old file had (new files stay
  // private), renamed over the target (a link there is replaced, not followed), then the folder
  // synced so the rename survives a crash. The file has no name while it is written (O_TMPFILE),
  // so a kill leaves nothing behind; where the file system cannot do that, mkstemp (O_EXCL, 0600,
  // never a planted link) names it from the start.
  if (auto why = not_replaceable(path)) return error{error_kind::io, fmt::format("{}: {}", path, *why)};
  const std::string folder = folder_of(path);
  std::string tmp;
  bool unnamed = true;
  int fd = ::access("/proc/self/fd", X_OK) == 0 ? ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600) : -1;
  if (fd < 0) {
    unnamed = false;
    tmp = path + ".XXXXXX";
    fd = ::mkstemp(tmp.data());
  }
  if (fd < 0) return error{error_kind::io, fmt::format("{}: cannot write: {}", path, std::strerror(errno))};
  struct stat old {};
  if (::lstat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode)) (void)::fchmod(fd, old.st_mode & 07777);
  const bool written = body(fd) && ::fsync(fd) == 0 && (!unnamed || name_unnamed(fd, path, tmp));
  const int write_errno = errno;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    const int saved = written ? errno : write_errno;
    if (!tmp.empty() && (!unnamed || written)) ::unlink(tmp.c_str());
    return error{error_kind::io, fmt::format("{}: write failed: {}", path, std::strerror(saved))};
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    return error{error_kind::io, fmt::format("{}: cannot rename the written file into place: {}", path, std::strerror(saved))};
  }
  if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return {};
}

}  // namespace

status write_file_atomically(const std::string& path, std::string_view text) {
  return write_atomically(path, [text](int fd) {
    fd_sink out(fd);
    out.write(text);
    return out.ok();
  });
}

status write_snapshot_file(const std::string& path, const snapshot& snap) {
  return write_atomically(path, [&snap](int fd) {
    fd_sink file(fd);
    sink_stream out(file);
    write_snapshot_json(snap, out);
    return file.ok();
  });
}

}  // namespace linemgr::io
