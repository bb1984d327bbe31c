// libFuzzer harness: the snapshot reader (what it accepts, a validating JSON parser accepts; on one
// thread or handing records to a second, the same outcome), then the planner, apply and the writer
// on whatever it accepts, and the written snapshot read back (doc/formats.md §1, §3).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include <linemgr/core/plan.hpp>
#include <linemgr/io/config_file.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include <linemgr/io/snapshot_handoff_internal.hpp>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linemgr;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto snap = io::parse_snapshot(input, "fuzz.json");
  // Records handed to a second thread: the same outcome (the same message, or the same model). For
  // one input in eight (by its hash): a thread per input would cost two thirds of the executions.
  if (std::hash<std::string_view>{}(input) % 8 == 0) {
    auto handed = io::parse_snapshot_handing_off(input, "fuzz.json", true);
    if (static_cast<bool>(handed) != static_cast<bool>(snap)) __builtin_trap();
    if (!snap && handed.err().message != snap.err().message) __builtin_trap();
    if (snap && io::snapshot_to_json(*handed) != io::snapshot_to_json(*snap)) __builtin_trap();
  }
  if (!snap) return 0;
  // What the reader accepts, RapidJSON validating UTF-8 as it parses accepts too (the reader checks
  // UTF-8 on its own, ahead of the parser).
  rapidjson::MemoryStream text(reinterpret_cast<const char*>(data), size);
  rapidjson::BaseReaderHandler<> nothing;
  rapidjson::Reader reference;
  if (reference.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text, nothing).IsError()) __builtin_trap();
  static const core::config rules = *io::parse_config(
      "modules = [\"hierarchy\", \"managers\", \"validity\", \"elevation\"]\n[hierarchy]\ntop_level = [\"TOP\"]\n"
      "[managers.level_mapping]\nN1 = \"Niveau 1\"\nN2 = \"Niveau 2\"\n",
      "fuzz.toml");
  const core::day today = snap->today ? *snap->today : *core::parse_date("2026-03-02");
  const core::plan p = core::make_plan(*snap, rules, today);
  (void)core::apply_plan(*snap, p);
  const std::string written = io::snapshot_to_json(*snap);
  if (!io::parse_snapshot(written, "written.json")) __builtin_trap();  // what linemgr writes, it reads
  return 0;
}
