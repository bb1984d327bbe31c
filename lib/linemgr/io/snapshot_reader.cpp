// Reads `linemgr-snapshot/1` (doc/formats.md §1) as a stream: RapidJSON's SAX reader follows the
// document, each record (an element of a top-level array) is built as a small DOM in a pool that is
// reused for the next one and handed to record_reader. The file is read in chunks and never held
// whole; the model keeps copies of the strings it needs.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <fmt/format.h>

#include <linemgr/io/files.hpp>
#include <linemgr/io/json_internal.hpp>
#include <linemgr/io/snapshot_events_internal.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include <linemgr/io/snapshot_handoff_internal.hpp>
#include <linemgr/io/snapshot_records_internal.hpp>

namespace linemgr::io {

namespace {

using value = rapidjson::Value;

// From this size on, records are read into the model on a second thread while the parser goes on.
constexpr std::size_t handoff_from = 1 << 20;

// The deepest nesting a snapshot may have (it needs 4: document, table, record, segment list).
constexpr std::size_t max_snapshot_depth = 64;

// Why a parse stopped, when the handler stopped it.
enum class stop_reason : std::uint8_t { none, bad_input, too_deep, lone_surrogate, invalid_utf8, reader_refused };

// Checks UTF-8 as a stream is read, chunk by chunk, ahead of the parser (which then need not):
// the offset of the first character that is not UTF-8 (RFC 3629: no overlong forms, surrogates or
// code points above U+10FFFF), the same offset RapidJSON's own validation reports.
class utf8_check {
 public:
  static constexpr std::size_t none = static_cast<std::size_t>(-1);

  // Checks the next `n` bytes of the input, which start at offset `base`.
  void feed(const unsigned char* p, std::size_t n, std::size_t base) {
    std::size_t i = 0;
    while (i < n && invalid_ == none) {
      if (need_ == 0) {
        while (i + 8 <= n) {  // ASCII, a word at a time
          std::uint64_t word;
          std::memcpy(&word, p + i, 8);
          if (word & 0x8080808080808080ull) break;
          i += 8;
        }
        if (i == n) break;
        const unsigned char c = p[i];
        if (c < 0x80) {
          ++i;
          continue;
        }
        start_ = base + i;
        low_ = 0x80, high_ = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) need_ = 1;
        else if (c == 0xE0) need_ = 2, low_ = 0xA0;
        else if (c == 0xED) need_ = 2, high_ = 0x9F;
        else if (c >= 0xE1 && c <= 0xEF) need_ = 2;
        else if (c == 0xF0) need_ = 3, low_ = 0x90;
        else if (c >= 0xF1 && c <= 0xF3) need_ = 3;
        else if (c == 0xF4) need_ = 3, high_ = 0x8F;
        else invalid_ = start_;
        ++i;
      } else {
        if (p[i] < low_ || p[i] > high_) invalid_ = start_;
        low_ = 0x80, high_ = 0xBF;
        --need_;
        ++i;
      }
    }
  }
  // The input has ended.
  void finish() {
    if (need_ != 0 && invalid_ == none) invalid_ = start_;
  }
  // The offset of the first character that is not UTF-8, or `none`.
  std::size_t invalid_at() const { return invalid_; }

 private:
  unsigned need_ = 0;  // continuation bytes the current character still needs
  unsigned char low_ = 0x80, high_ = 0xBF;  // the range of the next one
  std::size_t start_ = 0;  // where the current character starts
  std::size_t invalid_ = none;
};

// A RapidJSON input stream over a file or a text, read in chunks of 64 KiB: the input is never held
// whole. A NUL sentinel follows each chunk; `exhausted` tells the end of input from a NUL byte in it.
// Each chunk is checked as it is read: UTF-8, and whether a backslash (an escape) has appeared.
class chunk_stream {
 public:
  using Ch = char;
  explicit chunk_stream(std::FILE* file) : file_(file) { fill(); }
  explicit chunk_stream(std::string_view text) : text_(text) { fill(); }

  Ch Peek() const { return *current_; }
  Ch Take() {
    const Ch c = *current_;
    if (current_ != end_ && ++current_ == end_) fill();
    return c;
  }
  std::size_t Tell() const { return consumed_ + static_cast<std::size_t>(current_ - buffer_.data()); }
  bool exhausted() const { return current_ == end_ && done_; }
  bool failed() const { return failed_; }
  // The offset of the first character that is not UTF-8 in what was read so far, or utf8_check::none.
  std::size_t invalid_utf8_at() const { return utf8_.invalid_at(); }
  // True when a character that is not UTF-8 lies before the current position.
  bool invalid_utf8_passed() const { return utf8_.invalid_at() != utf8_check::none && utf8_.invalid_at() < Tell(); }
  // True when the input read so far has a backslash: only an escape can decode to a lone surrogate.
  bool escapes_seen() const { return escapes_seen_; }
  // Writing is not used by the reader.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

 private:
  void fill() {
    consumed_ += static_cast<std::size_t>(current_ - buffer_.data());
    std::size_t n = 0;
    if (file_) {
      n = std::fread(buffer_.data(), 1, buffer_.size() - 1, file_);
      if (n == 0) failed_ = std::ferror(file_) != 0;
    } else {
      n = std::min(buffer_.size() - 1, text_.size() - text_at_);
      std::memcpy(buffer_.data(), text_.data() + text_at_, n);
      text_at_ += n;
    }
    done_ = n == 0;
    if (done_) utf8_.finish();
    utf8_.feed(reinterpret_cast<const unsigned char*>(buffer_.data()), n, consumed_);
    escapes_seen_ = escapes_seen_ || std::memchr(buffer_.data(), '\\', n) != nullptr;
    buffer_[n] = '\0';
    current_ = buffer_.data();
    end_ = current_ + n;
  }

  std::FILE* file_ = nullptr;
  std::string_view text_;
  std::size_t text_at_ = 0;
  std::array<char, 65537> buffer_{};
  char* current_ = buffer_.data();
  char* end_ = buffer_.data();
  std::size_t consumed_ = 0;
  bool done_ = false, failed_ = false;
  utf8_check utf8_;
  bool escapes_seen_ = false;
};

// Follows the document as SAX events: the root's scalars and the top-level arrays directly, each
// record built as a DOM in a reused pool and handed to `reader`. A record of an array that refers
// to units or persons before both have been read is kept whole and read at the end.
class stream_handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, stream_handler> {
 public:
  // `input` (when the document comes from a chunk_stream) has checked UTF-8 ahead of the parser.
  // `handoff`: records are read into the model on a second thread (record_handoff).
  explicit stream_handler(snapshot& snap, const chunk_stream* input = nullptr, bool handoff = false)
      : reader_(snap), input_(input), pool_(pool_buffer_, sizeof pool_buffer_) {
    if (handoff) handoff_ = std::make_unique<record_handoff>(reader_);
    record_.emplace(&record_pool());
  }

  // Waits for the second thread, when there is one: the message of what it refused, if anything.
  // Before finish(), and before any other error is told (what it refused came first).
  std::optional<std::string> end_handoff() { return handoff_ ? handoff_->finish() : std::nullopt; }

  stop_reason stopped = stop_reason::none;
  std::string message;  // for stop_reason::bad_input

  // After a successful parse: the deferred records, and what the document lacked.
  void finish() {
    if (!seen_[idx(section::units)]) throw bad_input{"units: missing; a snapshot needs a \"units\" array"};
    std::stable_sort(deferred_.begin(), deferred_.end(), [](const deferred_record& a, const deferred_record& b) { return a.s < b.s; });
    for (const deferred_record& d : deferred_) reader_.record(d.s, d.index, d.record);
    deferred_.clear();
  }

  bool Null() { return in_record() ? record_->Null() : scalar(value()); }
  bool Bool(bool b) { return in_record() ? record_->Bool(b) : scalar(value(b)); }
  bool Int(int i) { return in_record() ? record_->Int(i) : scalar(value(i)); }
  bool Uint(unsigned u) { return in_record() ? record_->Uint(u) : scalar(value(u)); }
  bool Int64(std::int64_t i) { return in_record() ? record_->Int64(i) : scalar(value(i)); }
  bool Uint64(std::uint64_t u) { return in_record() ? record_->Uint64(u) : scalar(value(u)); }
  bool Double(double d) { return in_record() ? record_->Double(d) : scalar(value(d)); }
  bool String(const char* str, rapidjson::SizeType length, bool) {
    if (!text_ok(str, length)) return false;
    return in_record() ? record_->String(str, length, true) : scalar(value(str, length));
  }
  bool Key(const char* str, rapidjson::SizeType length, bool) {
    if (!text_ok(str, length)) return false;
    if (in_record()) return record_->Key(str, length, true);
    if (skip_) return true;
    key_.assign(str, length);
    return root_key();
  }
  bool StartObject() { return open(true); }
  bool StartArray() { return open(false); }
  bool EndObject(rapidjson::SizeType members) { return close(members, true); }
  bool EndArray(rapidjson::SizeType elements) { return close(elements, false); }

 private:
  static constexpr std::size_t idx(section s) { return static_cast<std::size_t>(s); }

  bool in_record() const { return depth_ >= 3 && !skip_; }

  // A string just read is UTF-8 and has no lone surrogate; else stops the parse.
  bool text_ok(const char* str, std::size_t length) {
    if (input_) {
      if (input_->invalid_utf8_passed()) return stop(stop_reason::invalid_utf8);
      if (!input_->escapes_seen()) return true;
    }
    return !has_lone_surrogate(str, length) || stop(stop_reason::lone_surrogate);
  }

  // A decoded string holds a low surrogate's bytes (ED B0..BF ..) only when an escape put them
  // there: raw ones fail UTF-8 validation, and a pair decodes to four bytes.
  static bool has_lone_surrogate(const char* str, std::size_t length) {
    const char* end = str + length;
    for (const char* p = str; (p = static_cast<const char*>(std::memchr(p, '\xED', static_cast<std::size_t>(end - p)))) != nullptr; ++p)
      if (p + 1 < end && (static_cast<unsigned char>(p[1]) & 0xF0) == 0xB0) return true;
    return false;
  }

  bool stop(stop_reason why, std::string text = {}) {
    stopped = why;
    message = std::move(text);
    return false;
  }

  template <class Fn>
  bool guarded(Fn fn) {
    try {
      fn();
      return true;
    } catch (const bad_input& e) {
      return stop(stop_reason::bad_input, e.message);
    }
  }

  // Refuses a root member given twice.
  bool root_key() {
    static constexpr std::array<std::string_view, 10> known = {"format",  "today",       "organisation", "classes",  "units",
                                                               "persons", "engagements", "associations", "it_users", "managers"};
    for (std::size_t k = 0; k < known.size(); ++k)
      if (key_ == known[k]) {
        if (root_seen_ & (1u << k)) return stop(stop_reason::bad_input, fmt::format("{}: given twice; keep one", key_));
        root_seen_ |= 1u << k;
      }
    return true;
  }

  // The top-level array a root member names, if it names one.
  static std::optional<section> section_of(std::string_view name) {
    for (std::size_t k = 0; k < section_names.size(); ++k)
      if (name == section_names[k]) return static_cast<section>(k);
    return std::nullopt;
  }

  // The root's own members (format, today, organisation), whatever their type.
  void root_member(const value& v) {
    if (key_ == "format") root_field_read(root_field::format, v);
    else if (key_ == "today") root_field_read(root_field::today, v);
    else if (key_ == "organisation") root_field_read(root_field::organisation, v);
    else if (section_of(key_) && !v.IsNull()) throw bad_input{fmt::format("{}: expected an array, got {}", key_, show(v))};
  }

  // One of the root's own members, read here or handed over. Checked here either way: the parse
  // stops at a refused one (what follows it may not be a snapshot's shape at all).
  void root_field_read(root_field f, const value& v) {
    if (handoff_) {
      if (f == root_field::format) record_reader::check_format(v);
      else if (f == root_field::today) record_reader::check_today(v);
      else record_reader::check_organisation(v);
      (void)handoff_->root(f, v);
    } else if (f == root_field::format) reader_.format(v);
    else if (f == root_field::today) reader_.today(v);
    else reader_.organisation(v);
  }

  // The pool records are built in: the handoff's batch, else this handler's own.
  rapidjson::MemoryPoolAllocator<>& record_pool() { return handoff_ ? handoff_->pool() : pool_; }

  // A string, number, boolean or null outside records.
  bool scalar(const value& v) {
    if (skip_) return true;
    if (depth_ == 0) return stop(stop_reason::bad_input, "$: a snapshot is a JSON object");
    if (depth_ == 2)
      return stop(stop_reason::bad_input, fmt::format("{}[{}]: expected an object, got {}", section_names[idx(array_)], index_, show(v)));
    return guarded([&] { root_member(v); });
  }

  bool open(bool object) {
    if (++depth_ > max_snapshot_depth) return stop(stop_reason::too_deep);
    if (skip_) return true;
    if (depth_ == 1) return object ? true : stop(stop_reason::bad_input, "$: a snapshot is a JSON object");
    if (depth_ >= 4) return object ? record_->StartObject() : record_->StartArray();
    if (depth_ == 3) {
      if (!object)
        return stop(stop_reason::bad_input, fmt::format("{}[{}]: expected an object, got an array", section_names[idx(array_)], index_));
      if (&record_pool() != &record_->GetAllocator()) record_.emplace(&record_pool());  // a batch was handed over
      return record_->StartObject();
    }
    // The value of a root member.
    const auto s = section_of(key_);
    if (!s || object) {
      if (!s && key_ != "format" && key_ != "today" && key_ != "organisation") {
        skip_ = true;  // an unknown member: ignored, whatever it holds
        return true;
      }
      return guarded([&] { root_member(value(object ? rapidjson::kObjectType : rapidjson::kArrayType)); });
    }
    array_ = *s;
    index_ = 0;
    seen_[idx(*s)] = true;
    // Records that refer to units and persons wait until both are read (or the document ends);
    // once one array waits, the later ones do too, so records are read in the usual order.
    defer_ = defer_ || (*s >= section::engagements && !(done_[idx(section::units)] && done_[idx(section::persons)]));
    return true;
  }

  bool close(rapidjson::SizeType count, bool object) {
    const std::size_t depth = depth_--;
    if (skip_) {
      if (depth == 2) skip_ = false;
      return true;
    }
    if (depth >= 4) return object ? record_->EndObject(count) : record_->EndArray(count);
    if (depth == 3) return record_->EndObject(count) && end_record();
    if (depth == 2) {
      done_[idx(array_)] = true;
      if (array_ == section::units)
        return handoff_ ? handoff_->units_done() || stop(stop_reason::reader_refused) : guarded([&] { reader_.units_done(); });
    }
    return true;
  }

  // The record's events are complete: take the value off the document's stack and read it.
  bool end_record() {
    struct nothing {
      bool operator()(rapidjson::Document&) const { return true; }
    } no_events;
    record_->Populate(no_events);
    const std::size_t i = index_++;
    bool ok = true;
    if (defer_ && array_ >= section::engagements) {
      deferred_.push_back({array_, i, value(*record_, deferred_pool_)});
    } else if (handoff_) {
      ok = handoff_->record(array_, i, *record_) || stop(stop_reason::reader_refused);
    } else {
      ok = guarded([&] { reader_.record(array_, i, *record_); });
    }
    record_->SetNull();
    if (!handoff_) pool_.Clear();
    return ok;
  }

  struct deferred_record {
    section s;
    std::size_t index;
    value record;
  };

  record_reader reader_;
  const chunk_stream* input_;
  char pool_buffer_[16384];
  rapidjson::MemoryPoolAllocator<> pool_;
  std::unique_ptr<record_handoff> handoff_;     // declared after reader_: its thread reads with it
  std::optional<rapidjson::Document> record_;  // the record being built (by its handler methods), in record_pool()
  std::string key_;              // the last key seen outside records
  std::size_t depth_ = 0;
  bool skip_ = false;  // inside an unknown root member
  section array_ = section::count;
  std::size_t index_ = 0;
  bool defer_ = false;
  unsigned root_seen_ = 0;
  std::array<bool, section_names.size()> seen_{}, done_{};
  rapidjson::MemoryPoolAllocator<> deferred_pool_;
  std::vector<deferred_record> deferred_;
};

// The input again, at least its first `upto` bytes, for positions in messages: `original` when
// the caller has the text, else the file read again; empty for standard input.
std::string input_again(std::string_view source, std::string_view original, std::size_t upto) {
  if (!original.empty()) return std::string(original);
  std::string text;
  if (source == "-") return text;
  std::FILE* f = std::fopen(std::string(source).c_str(), "rb");
  char chunk[65536];
  std::size_t got = 0;
  while (f && text.size() < upto && (got = std::fread(chunk, 1, sizeof chunk, f)) > 0) text.append(chunk, got);
  if (f) std::fclose(f);
  return text;
}

// "source:line:col" of a byte offset, or "source: at byte N" when the input cannot be read again.
std::string position(std::string_view source, std::string_view text, std::size_t offset) {
  if (text.empty()) return fmt::format("{}: at byte {}", source, offset);
  const auto [line, col] = line_column(text, offset);
  return fmt::format("{}:{}:{}", source, line, col);
}

constexpr std::string_view nul_message = "not valid JSON: a NUL byte (JSON text has none; is this the right file?)";

// Why the handler stopped the document (a record refused, or nesting too deep).
error stopped_error(const stream_handler& handler, std::string_view source) {
  if (handler.stopped == stop_reason::too_deep)
    return error{error_kind::data, fmt::format("{}: nests more than {} levels deep; a snapshot needs 4 (doc/formats.md §1)", source,
                                               max_snapshot_depth)};
  if (handler.stopped == stop_reason::lone_surrogate)
    return error{error_kind::data, fmt::format("{}: not valid JSON: {}", source, lone_surrogate_message)};
  return error{error_kind::data, fmt::format("{}: {}", source, handler.message)};
}

result<snapshot> parse_stream(chunk_stream& in, std::string_view source, std::string_view original, bool handoff) {
  snapshot snap;
  stream_handler handler(snap, &in, handoff);
  rapidjson::Reader json;
  // UTF-8 is checked by the stream, ahead of the parser (a word at a time where the text is ASCII).
  const rapidjson::ParseResult parsed = json.Parse<rapidjson::kParseIterativeFlag>(in, handler);
  // What the reading thread refused was handed over before the parser stopped, so it came first.
  if (const auto refused = handler.end_handoff()) return error{error_kind::data, fmt::format("{}: {}", source, *refused)};
  if (in.failed()) return error{error_kind::io, fmt::format("{}: read error", source)};
  if (parsed.IsError()) {
    // A character that is not UTF-8 before where the parser stopped is in the string it was reading:
    // validating as it read, the parser would have stopped there first.
    const std::size_t invalid = in.invalid_utf8_at();
    if (handler.stopped == stop_reason::invalid_utf8 || (handler.stopped == stop_reason::none && invalid < parsed.Offset())) {
      const std::string text = input_again(source, original, invalid + 1);
      return error{error_kind::data, fmt::format("{}: not valid JSON: {}", position(source, text, invalid),
                                                 rapidjson::GetParseError_En(rapidjson::kParseErrorStringInvalidEncoding))};
    }
    switch (handler.stopped) {
      case stop_reason::bad_input:
      case stop_reason::too_deep:
        return stopped_error(handler, source);
      case stop_reason::lone_surrogate: {
        const std::string text = input_again(source, original, SIZE_MAX);
        const std::size_t at = scan_json(text, SIZE_MAX).lone_surrogate;
        return error{error_kind::data, fmt::format("{}: not valid JSON: {}", position(source, text, at == std::string_view::npos ? parsed.Offset() : at),
                                                   lone_surrogate_message)};
      }
      case stop_reason::none:
      case stop_reason::invalid_utf8:
      case stop_reason::reader_refused: break;
    }
    const std::string text = input_again(source, original, parsed.Offset() + 1);
    if (parsed.Offset() < text.size() && text[parsed.Offset()] == '\0')
      return error{error_kind::data, fmt::format("{}: {}", position(source, text, parsed.Offset()), nul_message)};
    return error{error_kind::data, fmt::format("{}: not valid JSON: {}", position(source, text, parsed.Offset()),
                                               rapidjson::GetParseError_En(parsed.Code()))};
  }
  // The parser takes a NUL byte for the end of the text: whatever follows it would be ignored.
  if (!in.exhausted()) {
    const std::size_t at = in.Tell();
    const std::string text = input_again(source, original, at + 1);
    return error{error_kind::data, fmt::format("{}: {}", position(source, text, at), nul_message)};
  }
  try {
    handler.finish();
  } catch (const bad_input& e) {
    return error{error_kind::data, fmt::format("{}: {}", source, e.message)};
  }
  return snap;
}

}  // namespace

struct snapshot_events::impl {
  explicit impl(std::string name) : source(std::move(name)) {}
  std::string source;
  snapshot snap;
  stream_handler handler{snap};
  bool refused = false;
  // Members or elements of each open object (true) or array (false): a writer's caller does not
  // give them, the handler needs them.
  std::vector<std::pair<bool, rapidjson::SizeType>> open;

  // Counts a value in the array it is in.
  void value_begins() {
    if (!open.empty() && !open.back().first) ++open.back().second;
  }
  // Runs one handler call unless the document is already refused.
  template <class Call>
  bool run(Call call) {
    if (refused) return false;
    refused = !call();
    return !refused;
  }
  bool start(bool object) {
    value_begins();
    open.push_back({object, 0});
    return run([&] { return object ? handler.StartObject() : handler.StartArray(); });
  }
  bool end(bool object) {
    const rapidjson::SizeType count = open.empty() ? 0 : open.back().second;
    if (!open.empty()) open.pop_back();
    return run([&] { return object ? handler.EndObject(count) : handler.EndArray(count); });
  }
};

snapshot_events::snapshot_events(std::string source) : impl_(std::make_unique<impl>(std::move(source))) {}
snapshot_events::~snapshot_events() = default;
bool snapshot_events::StartObject() { return impl_->start(true); }
bool snapshot_events::EndObject(rapidjson::SizeType) { return impl_->end(true); }
bool snapshot_events::StartArray() { return impl_->start(false); }
bool snapshot_events::EndArray(rapidjson::SizeType) { return impl_->end(false); }
bool snapshot_events::Key(const char* text) { return Key(text, static_cast<rapidjson::SizeType>(std::strlen(text))); }
bool snapshot_events::Key(const char* text, rapidjson::SizeType length, bool) {
  if (!impl_->open.empty()) ++impl_->open.back().second;
  return impl_->run([&] { return impl_->handler.Key(text, length, true); });
}
bool snapshot_events::String(const char* text) { return String(text, static_cast<rapidjson::SizeType>(std::strlen(text))); }
bool snapshot_events::String(const char* text, rapidjson::SizeType length, bool) {
  impl_->value_begins();
  return impl_->run([&] { return impl_->handler.String(text, length, true); });
}
bool snapshot_events::Bool(bool b) {
  impl_->value_begins();
  return impl_->run([&] { return impl_->handler.Bool(b); });
}
bool snapshot_events::Null() {
  impl_->value_begins();
  return impl_->run([&] { return impl_->handler.Null(); });
}
bool snapshot_events::Int(int i) {
  impl_->value_begins();
  return impl_->run([&] { return impl_->handler.Int(i); });
}

result<snapshot> snapshot_events::finish() {
  if (impl_->refused) return stopped_error(impl_->handler, impl_->source);
  try {
    impl_->handler.finish();
  } catch (const bad_input& e) {
    return error{error_kind::data, fmt::format("{}: {}", impl_->source, e.message)};
  }
  return std::move(impl_->snap);
}

result<snapshot> parse_snapshot_handing_off(std::string_view text, std::string_view source, bool handoff) {
  chunk_stream in(text);
  return parse_stream(in, source, text, handoff);
}

result<snapshot> parse_snapshot(std::string_view text, std::string_view source) {
  return parse_snapshot_handing_off(text, source, text.size() >= handoff_from);
}

result<snapshot> read_snapshot_file(const std::string& path) {
  if (auto usable = check_input_file(path, "snapshot file"); !usable) return usable.err();
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return error{error_kind::io, fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  struct stat st {};
  const bool large = f == stdin || (::fstat(::fileno(f), &st) == 0 && static_cast<std::size_t>(st.st_size) >= handoff_from);
  chunk_stream in(f);
  auto snap = parse_stream(in, path, {}, large);
  if (f != stdin) std::fclose(f);
  return snap;
}

}  // namespace linemgr::io
