#include "commands.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "core/explain.hpp"
#include "core/manager_of.hpp"
#include "core/plan.hpp"
#include "environment.hpp"
#include "io/explain_output.hpp"
#include "io/config_file.hpp"
#include "io/plan_output.hpp"
#include "io/snapshot_file.hpp"

namespace linemgr::cli {

namespace {

template <class T>
T take(result<T> r) {
  if (!r) throw failure{r.err()};
  return std::move(r.value());
}

[[noreturn]] void usage(std::string message) { throw failure{{error_kind::usage, std::move(message)}}; }

// What every command starts from: settings, the snapshot and the day.
struct loaded {
  config cfg;
  snapshot snap;
  day today = 0;
};

loaded load(const source_options& o) {
  loaded l;
  std::optional<day> given;
  if (!o.today.empty()) {
    given = parse_date(o.today);
    if (!given) usage(fmt::format("--today: not a date: \"{}\" (use YYYY-MM-DD)", o.today));
  }
  const std::optional<std::string> config_path = o.config.empty() ? default_config_path() : std::optional(o.config);
  if (config_path) l.cfg = take(read_config_file(*config_path));
  l.snap = take(read_snapshot_file(o.snapshot));
  l.today = given ? *given : l.snap.today ? *l.snap.today : today_in_copenhagen();
  return l;
}

bool wants_json(output_format f) {
  return f == output_format::json || (f == output_format::automatic && !stdout_is_terminal());
}

void print(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    throw failure{{error_kind::io, "standard output: write error"}};
}

}  // namespace

int reconcile(const reconcile_options& o) {
  if (o.dry_run && !o.write_snapshot.empty())
    usage("--write-snapshot writes the applied plan; leave out --dry-run to apply it");
  loaded l = load(o.source);
  plan p = make_plan(l.snap, l.cfg, l.today);
  if (o.unit) p = scope_plan(l.snap, l.cfg, p, *o.unit);

  std::optional<apply_report> applied;
  if (!o.dry_run) {
    // Print names from the snapshot the plan was made from; apply to a copy.
    snapshot after = l.snap;
    applied = apply_plan(after, p);
    if (!o.write_snapshot.empty())
      take(write_file_atomically(o.write_snapshot, snapshot_to_json(after)));
    else if (!p.changes.empty())
      std::fprintf(stderr, "linemgr: the plan was applied to the snapshot in memory only; "
                           "pass --write-snapshot FILE to keep the result\n");
  }
  print(wants_json(o.format) ? plan_to_json(l.snap, p, applied ? &*applied : nullptr)
                             : plan_to_text(l.snap, p, applied ? &*applied : nullptr));
  if (applied && !applied->failed.empty()) return 1;
  if (o.fail_on_changes && !p.changes.empty()) return 1;
  return 0;
}

int explain(const explain_options& o) {
  loaded l = load(o.source);
  const auto x = explain_unit(l.snap, l.cfg, l.today, o.unit);
  if (!x) throw failure{{error_kind::data, fmt::format("unit {} is not in {}", o.unit, o.source.snapshot)}};
  print(wants_json(o.format) ? explanation_to_json(l.snap, l.cfg, l.today, *x) : explanation_to_text(l.snap, l.cfg, l.today, *x));
  return 0;
}

int manager_of(const manager_of_options& o) {
  loaded l = load(o.source);
  day d = l.today;
  if (!o.date.empty()) {
    const auto parsed = parse_date(o.date);
    if (!parsed) usage(fmt::format("--date: not a date: \"{}\" (use YYYY-MM-DD)", o.date));
    d = *parsed;
  }
  std::vector<line_manager> answers;
  if (const index_t e = l.snap.engagements.ids.find(o.who); e != no_index) {
    if (auto lm = line_manager_of_engagement(l.snap, e, d)) answers.push_back(std::move(*lm));
  } else if (const index_t p = l.snap.person_ids.find(o.who); p != no_index) {
    answers = line_managers_of_person(l.snap, p, d);
  } else {
    throw failure{{error_kind::data, fmt::format("{} is neither a person nor an engagement in {}", o.who, o.source.snapshot)}};
  }
  print(wants_json(o.format) ? line_managers_to_json(l.snap, o.who, d, answers) : line_managers_to_text(l.snap, o.who, d, answers));
  return 0;
}

}  // namespace linemgr::cli
