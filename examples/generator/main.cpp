// linemgr-generate: writes a synthetic municipality (snapshot and configuration).
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include <linemgr/io/snapshot_file.hpp>
#include "org_generator.hpp"

int main(int argc, char** argv) {
  linemgr::examples::org_options o;
  std::string snapshot_path = "-", config_path;
  bool raw = false;
  CLI::App app{"Generate a deterministic synthetic municipality for linemgr", "linemgr-generate"};
  app.add_option("--units", o.units, "About this many units")->check(CLI::Range(1, 10'000'000));
  app.add_option("--persons-per-unit", o.persons_per_unit, "Persons per unit on average")->check(CLI::Range(0.1, 100.0));
  app.add_option("--seed", o.seed, "Random seed; the same seed gives the same organisation");
  app.add_option("--today", o.today, "The snapshot's today (YYYY-MM-DD)");
  app.add_option("--snapshot", snapshot_path, "Write the snapshot here (default: stdout)");
  app.add_option("--config", config_path, "Write the matching rules configuration here");
  app.add_flag("--raw", raw, "Leave every unit unclassified instead of mostly classified");
  CLI11_PARSE(app, argc, argv);
  o.settle = !raw;
  linemgr::examples::generated_org org;
  try {
    org = linemgr::examples::generate_org(o);
  } catch (const std::exception& e) {  // a generator bug: what it made does not read back
    std::fprintf(stderr, "linemgr-generate: %s\n", e.what());
    return 70;
  }
  for (const auto& [path, text] : {std::pair{snapshot_path, &org.snapshot_json}, std::pair{config_path, &org.config_toml}}) {
    if (path.empty()) continue;
    if (auto written = linemgr::io::write_file_atomically(path, *text); !written) {
      std::fprintf(stderr, "linemgr-generate: %s\n", written.err().message.c_str());
      return 74;
    }
  }
  return 0;
}
