#pragma once
// What the commands share: settings, the organisation (a snapshot file or OS2mo), the day, and
// output. Failures are thrown as cli::failure and mapped to exit statuses in app.cpp.
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "core/config.hpp"
#include "core/model.hpp"
#include "os2mo/os2mo.hpp"

namespace linemgr::cli {

// The value of a result, or a thrown failure.
template <class T>
T take(result<T> r) {
  if (!r) throw failure{r.err()};
  return std::move(r.value());
}

// Throws a usage failure (exit 64).
[[noreturn]] void usage(std::string message);

// What every command starts from: settings, the snapshot and the day.
struct loaded {
  config cfg;
  snapshot snap;
  day today = 0;
  std::unique_ptr<os2mo_connection> mo;  // when the snapshot was read from OS2mo
};

// OS2mo settings: flags > the environment names the Python integrations use > [os2mo] > defaults.
os2mo_settings os2mo_settings_from(const source_options& o);
// The OS2mo URL (flag, environment or file) when the source is OS2mo; empty with --snapshot.
std::string mo_url_of(const source_options& o);
// Reads the settings, the snapshot (a file, all of OS2mo, or from OS2mo just what `scope_unit`
// needs) and the day.
loaded load(source_options o, const std::optional<std::string>& scope_unit = std::nullopt);
// Reads the settings, a snapshot file (with its day), or opens OS2mo without reading it yet.
loaded open_source(source_options o);
// The source as people name it in messages.
std::string source_name(const source_options& o);
// True when output should be JSON.
bool wants_json(output_format f);
// Writes to standard output, or fails with an I/O error.
void print(const std::string& text);

}  // namespace linemgr::cli
