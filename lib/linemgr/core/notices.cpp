// Notices: what a run tells other systems, and the filters that choose them.
#include <linemgr/core/notices.hpp>

#include <algorithm>
#include <array>

#include <linemgr/core/classes.hpp>
#include <linemgr/core/tree.hpp>

namespace linemgr::core {

namespace {

// A stable uuid-shaped id for a key: the same key gives the same id in every run.
std::string id_for(const std::string& key) {
  return uuid_like(hash_string("linemgr:notice:" + key), hash_string(key + ":linemgr:notice"));
}

std::string date_or_open(day d) { return d == open_end ? "open" : format_date(d); }

// Builds the notices of one plan; keeps what every notice shares.
class notice_builder {
 public:
  notice_builder(const snapshot& snap, const plan& p, const notice_context& ctx)
      : snap_(snap), classes_(snap), tree_(build_tree(snap, p.today, nullptr)), ctx_(ctx) {}

  notice for_change(const change& c, const std::string& created_id) const {
    notice n;
    n.type = std::string(notice_type(c.kind));
    n.time = ctx_.time;
    n.dry_run = ctx_.dry_run;
    n.from = c.span.from;
    if (c.span.to != open_end) n.to = c.span.to;
    n.reason = c.reason;
    switch (c.kind) {
      case op::set_unit_class:
        n.subject = {"unit", std::string(snap_.units.records[c.unit].id)};
        set_unit(n, c.unit, false);
        n.before.push_back({"class", c.was_null ? std::nullopt : std::optional(c.was)});
        n.after.push_back({"class", c.klass});
        break;
      case op::create_manager:
        n.subject = {"manager", created_id};
        set_unit(n, c.unit, true);
        set_person(n, c.person);
        n.after = {{"person", std::string(snap_.persons[c.person].id)}, {"level", c.level}, {"type", c.type}};
        break;
      case op::update_manager:
      case op::end_manager:
      case op::vacate_manager: {
        n.subject = {"manager", std::string(snap_.managers.records[c.manager].id)};
        const manager_segment* m = segment_at(snap_.managers, c.manager, c.span.from);
        if (m && m->unit != no_index) set_unit(n, m->unit, true);
        if (m && m->person != no_index) set_person(n, m->person);
        const std::optional<std::string> person =
            m && m->person != no_index ? std::optional(std::string(snap_.persons[m->person].id)) : std::nullopt;
        if (c.kind == op::update_manager) {
          n.before.push_back({"level", m ? std::optional(classes_.output_of_ref(m->level, facet::manager_level)) : std::nullopt});
          n.after.push_back({"level", c.level});
        } else if (c.kind == op::vacate_manager) {
          n.before.push_back({"person", person});
          n.after.push_back({"person", std::nullopt});
        } else {
          n.before.push_back({"person", person});
        }
        break;
      }
      case op::end_association: {
        n.subject = {"association", std::string(snap_.associations.records[c.association].id)};
        const association_segment* a = segment_at(snap_.associations, c.association, c.span.from);
        if (a && a->unit != no_index) set_unit(n, a->unit, true);
        if (a && a->person != no_index) set_person(n, a->person);
        break;
      }
      case op::move_engagement: {
        n.subject = {"engagement", std::string(snap_.engagements.records[c.engagement].id)};
        const engagement_segment* e = segment_at(snap_.engagements, c.engagement, c.span.from);
        set_unit(n, c.unit, true);
        if (e && e->person != no_index) set_person(n, e->person);
        if (e && e->unit != no_index) {
          n.related.push_back({"unit", std::string(snap_.units.records[e->unit].id)});
          n.before.push_back({"unit", std::string(snap_.units.records[e->unit].id)});
        }
        n.after.push_back({"unit", std::string(snap_.units.records[c.unit].id)});
        break;
      }
    }
    return n;
  }

  // The part of a change's id key that names what it does (not how it turned out).
  std::string change_key(const change& c) const {
    std::string key = std::string(op_name(c.kind)) + ":" + date_or_open(c.span.from) + ":" + date_or_open(c.span.to);
    switch (c.kind) {
      case op::set_unit_class: return key + ":" + std::string(snap_.units.records[c.unit].id) + ":" + c.klass;
      case op::create_manager:
        return key + ":" + std::string(snap_.units.records[c.unit].id) + ":" + std::string(snap_.persons[c.person].id) +
               ":" + c.level + ":" + c.type;
      case op::update_manager: return key + ":" + std::string(snap_.managers.records[c.manager].id) + ":" + c.level;
      case op::end_manager:
      case op::vacate_manager: return key + ":" + std::string(snap_.managers.records[c.manager].id);
      case op::end_association: return key + ":" + std::string(snap_.associations.records[c.association].id);
      case op::move_engagement:
        return key + ":" + std::string(snap_.engagements.records[c.engagement].id) + ":" +
               std::string(snap_.units.records[c.unit].id);
    }
    return key;
  }

 private:
  template <class Segment>
  static const Segment* segment_at(const table<Segment>& t, index_t r, day d) {
    if (const Segment* s = t.active_at(r, d)) return s;
    const auto segs = t.segments_of(r);
    for (auto it = segs.rbegin(); it != segs.rend(); ++it)
      if (it->valid.from <= d) return &*it;
    return segs.empty() ? nullptr : &segs.front();
  }

  void set_unit(notice& n, index_t u, bool related) const {
    n.unit_name = std::string(snap_.unit_name(u));
    if (related) n.related.push_back({"unit", std::string(snap_.units.records[u].id)});
    // The unit and its ancestors in today's tree (just the unit when it is not in the tree).
    for (index_t at = u, steps = 0; at != no_index && steps <= snap_.units.size(); at = tree_.parent[at], ++steps) {
      n.unit_path.emplace_back(snap_.units.records[at].id);
      if (!tree_.usable(at)) break;
    }
  }

  void set_person(notice& n, index_t p) const {
    n.person_name = std::string(snap_.persons[p].name);
    n.related.push_back({"person", std::string(snap_.persons[p].id)});
  }

  const snapshot& snap_;
  class_resolver classes_;
  unit_tree tree_;
  const notice_context& ctx_;
};

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool type_matches(std::string_view pattern, std::string_view type) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ".*") {
    const std::string_view prefix = pattern.substr(0, pattern.size() - 1);  // keeps the dot
    return type.substr(0, prefix.size()) == prefix;
  }
  return pattern == type;
}

}  // namespace

std::string_view notice_type(op o) {
  switch (o) {
    case op::set_unit_class: return "unit.class_changed";
    case op::create_manager: return "manager.created";
    case op::update_manager: return "manager.updated";
    case op::end_manager: return "manager.ended";
    case op::vacate_manager: return "manager.vacated";
    case op::end_association: return "association.ended";
    case op::move_engagement: return "engagement.moved";
  }
  return "unknown";
}

const std::vector<std::string_view>& notice_types() {
  static const std::vector<std::string_view> types = {
      "unit.class_changed", "manager.created",  "manager.updated",     "manager.ended",   "manager.vacated",
      "association.ended",  "engagement.moved", "reconcile.completed", "reconcile.failed"};
  return types;
}

bool valid_type_pattern(std::string_view pattern) {
  if (pattern == "*") return true;
  for (std::string_view t : notice_types())
    if (type_matches(pattern, t)) return true;
  return false;
}

std::vector<notice> notices_for_run(const snapshot& snap, const plan& p, const apply_report* report,
                                    const run_summary& run, const notice_context& ctx) {
  std::vector<notice> out;
  out.reserve(p.changes.size() + 1);
  std::vector<const std::string*> errors(p.changes.size(), nullptr);
  std::vector<const std::string*> created(p.changes.size(), nullptr);
  if (report) {
    for (const auto& f : report->failed)
      if (f.change < errors.size()) errors[f.change] = &f.error;
    for (const auto& f : report->stale)
      if (f.change < errors.size()) errors[f.change] = &f.error;
    for (const auto& c : report->created)
      if (c.change < created.size()) created[c.change] = &c.id;
  }
  if (!p.changes.empty()) {
    const notice_builder build(snap, p, ctx);
    for (std::size_t i = 0; i < p.changes.size(); ++i) {
      const change& c = p.changes[i];
      notice n = build.for_change(c, created[i] ? *created[i] : std::string());
      if (errors[i]) {
        n.success = false;
        n.error = *errors[i];
      }
      // A dry run's notices are that run's plan; an applied change is announced once, whichever
      // run (a re-run after a crash, say) gets to announce it.
      n.id = id_for(build.change_key(c) + ":" + (!n.success ? "failed" : ctx.dry_run ? "planned:" + ctx.run_id : "applied"));
      out.push_back(std::move(n));
    }
  }
  notice r;
  r.success = !run.error && run.failed == 0 && run.stale == 0;
  r.type = r.success ? "reconcile.completed" : "reconcile.failed";
  r.id = id_for("run:" + ctx.run_id + ":" + r.type);
  r.time = ctx.time;
  r.dry_run = ctx.dry_run;
  r.subject = {"run", ctx.run_id};
  if (run.error) r.error = run.error;
  r.run = run;
  out.push_back(std::move(r));
  return out;
}

bool matches(const notice_filter& f, const notice& n) {
  if (n.dry_run && !f.include_dry_run) return false;
  if (f.outcome == outcome_filter::success_only && !n.success) return false;
  if (f.outcome == outcome_filter::error_only && n.success) return false;
  if (!f.types.empty() &&
      std::none_of(f.types.begin(), f.types.end(), [&](const std::string& t) { return type_matches(t, n.type); }))
    return false;
  auto any_target = [&](auto&& pred) {
    if (pred(n.subject)) return true;
    return std::any_of(n.related.begin(), n.related.end(), pred);
  };
  if (!f.target_types.empty() && !any_target([&](const notice_target& t) { return contains(f.target_types, t.kind); }))
    return false;
  if (!f.target_ids.empty() &&
      !any_target([&](const notice_target& t) { return !t.id.empty() && contains(f.target_ids, t.id); }))
    return false;
  if (!f.subtrees.empty() &&
      std::none_of(n.unit_path.begin(), n.unit_path.end(), [&](const std::string& u) { return contains(f.subtrees, u); }))
    return false;
  return true;
}

}  // namespace linemgr::core
