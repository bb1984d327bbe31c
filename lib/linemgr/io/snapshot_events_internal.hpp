#pragma once
// Building a snapshot from the events of a `linemgr-snapshot/1` document as a producer writes
// them, with the calls of rapidjson::Writer: the OS2mo source writes its pages here, so there is
// no snapshot text and no second parse. The same reader as for files checks every record.
#include <memory>
#include <string>

#include <linemgr/core/model.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/io/json_internal.hpp>

namespace linemgr::io {

class snapshot_events {
 public:
  // `source` names the producer in messages ("OS2mo at https://…").
  explicit snapshot_events(std::string source);
  ~snapshot_events();
  snapshot_events(const snapshot_events&) = delete;
  snapshot_events& operator=(const snapshot_events&) = delete;

  // rapidjson::Writer's calls; each is false once the document is refused (later ones are ignored).
  bool StartObject();
  bool EndObject(rapidjson::SizeType members = 0);
  bool StartArray();
  bool EndArray(rapidjson::SizeType elements = 0);
  bool Key(const char* text);
  bool Key(const char* text, rapidjson::SizeType length, bool copy = false);
  bool String(const char* text);
  bool String(const char* text, rapidjson::SizeType length, bool copy = false);
  bool Bool(bool b);
  bool Null();
  bool Int(int i);

  // After the document's last event: the snapshot, or why it was refused.
  core::result<core::snapshot> finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace linemgr::io
