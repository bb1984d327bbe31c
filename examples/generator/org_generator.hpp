#pragma once
// A deterministic generator of synthetic municipalities: the same options give byte-identical
// output on every machine (its own random numbers; no std distributions).
#include <cstdint>
#include <string>

namespace linemgr::examples {

// What to generate.
struct org_options {
  std::size_t units = 1500;          // about this many units
  double persons_per_unit = 5.3;     // persons per unit, on average
  std::uint64_t seed = 1;
  bool settle = true;                // classify most units correctly, as a live OS2mo would be
  std::string today = "2026-03-02";  // the snapshot's today
};

// A generated organisation: a linemgr-snapshot/1 document and the rules configuration for it.
struct generated_org {
  std::string snapshot_json;
  std::string config_toml;
};

// Generates an organisation: SD levels NY6…NY1 and Afdelings-niveau, _leder and led-adm units,
// engagements with history, associations, managers (vacant, stale, wrong level), hidden,
// self-owned and external subtrees, and a few deliberate data errors (a parent cycle, a parent
// that ended, a leder unit at the root, a unit without a level, an unmapped level).
generated_org generate_org(const org_options& options);

}  // namespace linemgr::examples
