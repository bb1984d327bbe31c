#include <linemgr/service/safety.hpp>

#include <set>

#include <fmt/format.h>

namespace linemgr::service {

std::optional<std::string> refusal(const snapshot& snap, const plan& p, const config::safety_t& limits) {
  if (p.changes.empty()) return std::nullopt;
  const std::string fix = "review the plan with --dry-run, then pass --force to write it";
  for (const diagnostic& d : p.diagnostics)
    if (d.code == "NO_TOP_LEVEL" || d.code == "CLASS_UNRESOLVED" || (d.code == "UNKNOWN_UNIT" && d.message.starts_with("configured unit")))
      return fmt::format("refusing to write {} changes: the configuration cannot be right ({} {}: {}); fix it, or {}", p.changes.size(),
                         d.code, d.subject, d.message, fix);
  if (limits.max_changes && p.changes.size() > limits.max_changes)
    return fmt::format("refusing to write {} changes: more than max_changes = {} ([safety] or --max-changes); {}", p.changes.size(),
                       limits.max_changes, fix);
  std::size_t class_changes = 0, current_units = 0;
  std::set<index_t> ended;
  for (const change& c : p.changes) {
    if (c.kind == op::set_unit_class) ++class_changes;
    if (c.kind == op::end_manager || c.kind == op::vacate_manager) ended.insert(c.manager);
  }
  for (index_t u = 0; u < snap.units.size(); ++u)
    if (snap.units.active_at(u, p.today)) ++current_units;
  // A part of the organisation (a listen batch's scopes) is no measure of the whole: the share is
  // judged on whole reads only.
  if (!snap.partial && limits.max_class_changes_percent && class_changes > 10 &&
      class_changes * 100 > limits.max_class_changes_percent * current_units)
    return fmt::format("refusing to write {} changes: {} of {} current units would change class, more than "
                       "max_class_changes_percent = {}% ([safety]); {}",
                       p.changes.size(), class_changes, current_units, limits.max_class_changes_percent, fix);
  if (limits.max_managers_ended && ended.size() > limits.max_managers_ended)
    return fmt::format("refusing to write {} changes: {} managers would be ended or made vacant, more than max_managers_ended = {} "
                       "([safety]); {}",
                       p.changes.size(), ended.size(), limits.max_managers_ended, fix);
  return std::nullopt;
}

}  // namespace linemgr::service
