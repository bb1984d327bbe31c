// The planner: modules over a virtual snapshot (G4), merging (G5) and ordering (G6).
#include <algorithm>
#include <map>

#include <linemgr/core/apply_internal.hpp>
#include <linemgr/core/planner_internal.hpp>
#include <linemgr/core/rules_internal.hpp>
#include <linemgr/core/text.hpp>

namespace linemgr::core {

std::string_view op_name(op o) {
  static constexpr std::string_view names[] = {"create_manager",  "update_manager",  "end_manager",   "vacate_manager",
                                               "end_association", "move_engagement", "set_unit_class"};
  return names[static_cast<std::size_t>(o)];
}

std::string_view severity_name(severity s) {
  static constexpr std::string_view names[] = {"info", "warn", "error"};
  return names[static_cast<std::size_t>(s)];
}

std::string_view subject_id(const snapshot& snap, const change& c) {
  switch (c.kind) {
    case op::update_manager:
    case op::end_manager:
    case op::vacate_manager: return snap.managers.records[c.manager].id;
    case op::end_association: return snap.associations.records[c.association].id;
    case op::move_engagement: return snap.engagements.records[c.engagement].id;
    default: return snap.units.records[c.unit].id;
  }
}

namespace {

// The periods united (sorted, overlapping or touching ones joined).
std::vector<period> united(std::vector<period> ps) {
  unite(ps);
  return ps;
}

// The parts of `p` outside the united, sorted `cut`.
std::vector<period> minus(period p, const std::vector<period>& cut) {
  std::vector<period> out;
  subtract(p, cut, out);
  return out;
}

bool covered_by(period p, const std::vector<period>& cut) { return minus(p, cut).empty(); }

// G5: merges the changes of all modules. Managers with index >= input_managers were created in
// this plan; their tag is the index of their create_manager in `all`.
std::vector<change> merge(std::vector<change> all, const snapshot& virt, std::size_t input_managers) {
  std::map<index_t, std::vector<period>> ends, vacates;
  std::map<index_t, std::string> end_reason, vacate_reason;
  std::vector<change> out;
  std::vector<std::size_t> creates;  // positions in `out`
  std::map<std::size_t, std::size_t> create_at;  // index in `all` -> position in `out`
  for (std::size_t i = 0; i < all.size(); ++i) {
    change& c = all[i];
    if (c.kind == op::end_manager) {
      ends[c.manager].push_back(c.span);
      end_reason.try_emplace(c.manager, c.reason);
    } else if (c.kind == op::vacate_manager) {
      vacates[c.manager].push_back(c.span);
      vacate_reason.try_emplace(c.manager, c.reason);
    } else {
      if (c.kind == op::create_manager) create_at[i] = out.size();
      out.push_back(std::move(c));
    }
  }
  // Ends and vacates of created managers shorten their create.
  auto shorten = [&](const std::map<index_t, std::vector<period>>& cuts) {
    for (const auto& [m, ps] : cuts) {
      if (m < input_managers) continue;
      change& create = out[create_at.at(virt.managers.records[m].tag)];
      for (const period& p : ps) create.span.to = std::min(create.span.to, p.from);
    }
  };
  all = {};  // every change was moved out: the storage goes before `out` grows
  shorten(ends);
  shorten(vacates);
  std::erase_if(out, [&](const change& c) {
    if (c.kind == op::create_manager && c.span.to <= c.span.from) return true;
    if (c.kind != op::update_manager) return false;
    auto it = ends.find(c.manager);
    return it != ends.end() && covered_by(c.span, united(it->second));
  });
  for (auto& [m, ps] : ends) {
    if (m >= input_managers) continue;
    for (const period& p : united(ps)) {
      change c;
      c.kind = op::end_manager;
      c.manager = m;
      c.span = p;
      c.reason = end_reason[m];
      out.push_back(std::move(c));
    }
  }
  for (auto& [m, ps] : vacates) {
    if (m >= input_managers) continue;
    const auto it = ends.find(m);
    const std::vector<period> cut = it == ends.end() ? std::vector<period>{} : united(it->second);
    std::vector<period> left;
    for (const period& p : ps)
      for (const period& q : minus(p, cut)) left.push_back(q);
    for (const period& p : united(left)) {
      change c;
      c.kind = op::vacate_manager;
      c.manager = m;
      c.span = p;
      c.reason = vacate_reason[m];
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace

void sort_changes(const snapshot& snap, std::vector<change>& changes) {
  auto key = [&](const change& c) -> std::pair<std::string_view, std::string_view> {
    if (c.kind == op::create_manager) return {snap.units.records[c.unit].id, snap.persons[c.person].id};
    return {subject_id(snap, c), {}};
  };
  std::stable_sort(changes.begin(), changes.end(), [&](const change& a, const change& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    const auto ka = key(a), kb = key(b);
    if (ka != kb) return ka < kb;
    return a.span.from < b.span.from;
  });
  // Identical end_association / move_engagement changes collapse into one.
  auto same = [](const change& a, const change& b) {
    return a.kind == b.kind && (a.kind == op::end_association || a.kind == op::move_engagement) &&
           a.association == b.association && a.engagement == b.engagement && a.unit == b.unit && a.span == b.span;
  };
  changes.erase(std::unique(changes.begin(), changes.end(), same), changes.end());
}

void sort_diagnostics(std::vector<diagnostic>& diags) {
  std::stable_sort(diags.begin(), diags.end(), [](const diagnostic& a, const diagnostic& b) {
    return a.code != b.code ? a.code < b.code : a.subject < b.subject;
  });
  diags.erase(std::unique(diags.begin(), diags.end(),
                          [](const diagnostic& a, const diagnostic& b) { return a.code == b.code && a.subject == b.subject; }),
              diags.end());
}

name_table::name_table(const snapshot& snap) {
  std::size_t bytes = 0;
  for (index_t u = 0; u < snap.units.size(); ++u) bytes += snap.unit_infos[u].name.size();
  text_.reserve(bytes + bytes / 16);  // folding case seldom changes a name's length
  start_.reserve(snap.units.size() + 1);
  start_.push_back(0);
  for (index_t u = 0; u < snap.units.size(); ++u) {
    text_ += normalize_name(snap.unit_infos[u].name);
    start_.push_back(static_cast<std::uint32_t>(text_.size()));
  }
}

plan make_plan_detailed(const snapshot& input, const config& cfg, day today, planner_state* state) {
  plan result;
  result.today = today;
  snapshot virt = input;
  const class_resolver classes(virt);
  const unit_tree tree = build_tree(virt, today, &result.diagnostics);
  const name_table normalized(virt);
  const rule_context ctx{virt, cfg, today, classes, tree, normalized, result.diagnostics};

  std::vector<change> all;
  auto stage = [&](std::vector<change> changes) {
    for (change& c : changes) {
      const auto tag = static_cast<std::uint32_t>(all.size());
      apply_change(virt, c, tag);
      all.push_back(std::move(c));
    }
  };
  if (cfg.modules.managers) stage(run_managers(ctx));
  if (cfg.modules.elevation) stage(run_elevation(ctx));
  if (cfg.modules.validity) stage(run_validity(ctx));
  if (cfg.modules.hierarchy) {
    std::vector<change> h = run_hierarchy(ctx);
    all.insert(all.end(), std::make_move_iterator(h.begin()), std::make_move_iterator(h.end()));
  }
  result.changes = merge(std::move(all), virt, input.managers.size());
  sort_changes(input, result.changes);
  sort_diagnostics(result.diagnostics);
  if (state) state->virt = std::move(virt);
  return result;
}

plan make_plan(const snapshot& snap, const config& cfg, day today) {
  return make_plan_detailed(snap, cfg, today, nullptr);
}

}  // namespace linemgr::core
