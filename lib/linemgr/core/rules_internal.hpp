#pragma once
// Internal to the planner: what every rule module gets, and the modules themselves.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/core/classes.hpp>
#include <linemgr/core/config.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/tree.hpp>

namespace linemgr::core {

// Every unit's normalized name, in one buffer.
class name_table {
 public:
  explicit name_table(const snapshot& snap);
  std::string_view operator[](index_t u) const { return std::string_view(text_).substr(start_[u], start_[u + 1] - start_[u]); }

 private:
  std::string text_;
  std::vector<std::uint32_t> start_;  // unit u's name is text_[start_[u], start_[u + 1])
};

// The records of a table per key (a person, a unit): each record once per key, in record order,
// all in one array.
class records_per_key {
 public:
  // `key(segment)` gives a segment's key below `keys`, or no_index.
  template <class Segment, class Key>
  records_per_key(const table<Segment>& t, std::size_t keys, Key key) : start_(keys + 1, 0) {
    auto each = [&](auto&& fn) {
      for (index_t r = 0; r < t.size(); ++r) {
        const auto segs = t.segments_of(r);
        for (std::size_t j = 0; j < segs.size(); ++j) {
          const index_t k = key(segs[j]);
          if (k == no_index || k >= keys) continue;
          bool earlier = false;  // the record is listed once per key
          for (std::size_t i = 0; i < j && !earlier; ++i) earlier = key(segs[i]) == k;
          if (!earlier) fn(k, r);
        }
      }
    };
    each([&](index_t k, index_t) { ++start_[k + 1]; });
    for (std::size_t k = 0; k < keys; ++k) start_[k + 1] += start_[k];
    records_.resize(start_[keys]);
    std::vector<std::uint32_t> at(start_.begin(), start_.end() - 1);
    each([&](index_t k, index_t r) { records_[at[k]++] = r; });
  }
  // The records of key k.
  std::span<const index_t> operator[](index_t k) const { return {records_.data() + start_[k], start_[k + 1] - start_[k]}; }

 private:
  std::vector<std::uint32_t> start_;
  std::vector<index_t> records_;
};

// What a module reads: the virtual snapshot of its stage, the settings, and shared indices.
struct rule_context {
  const snapshot& snap;
  const config& cfg;
  day today;
  const class_resolver& classes;
  const unit_tree& tree;                        // the tree of today (units never change before H)
  const name_table& normalized;                 // per unit: its normalized name
  std::vector<diagnostic>& diags;

  // The id of a unit, a person and a manager as strings.
  std::string unit_id(index_t u) const { return std::string(snap.units.records[u].id); }
  std::string person_id(index_t p) const { return std::string(snap.persons[p].id); }
  std::string manager_id(index_t m) const { return std::string(snap.managers.records[m].id); }
};

// The hierarchy classes of H2, in precedence order.
enum class unit_class : std::uint8_t { hidden, self_owned, external, line_management, outside, none };

// Why a unit got its target class.
enum class class_rule : std::uint8_t { none, hidden_root, self_owned_root, external_root, top_level, own_check, propagation, outside, stored };

// H's evaluation of every unit of today's tree, kept for explanations.
struct hierarchy_eval {
  std::vector<unit_class> target;   // per unit; none for units that are not usable
  std::vector<class_rule> rule;
  std::vector<index_t> root_cause;  // hidden/self-owned/external: the configured root that counted
  std::vector<std::uint8_t> level_ok, people_ok, below_top;
  std::vector<index_t> lm_child;    // propagation: a line-management child
};

// Evaluates H1–H8 over the context's snapshot.
hierarchy_eval evaluate_hierarchy(const rule_context& ctx);

// The configured class value of a target class.
const std::string& class_value(const config& cfg, unit_class c);

// Who has a current manager appointment (any type), anywhere and per unit.
struct current_appointments {
  std::vector<std::uint8_t> anywhere;                  // per person
  std::vector<std::pair<index_t, index_t>> pairs;      // sorted (person, unit)
  bool in_unit(index_t person, index_t unit) const;
};
current_appointments find_current_appointments(const snapshot& snap, day today);

// Why an engagement segment current in its unit is left out of E′(u) (H6.3), or nullptr
// when it counts.
const char* engagement_excluded(const rule_context& ctx, const engagement_segment& s,
                                const current_appointments& appointments);

// The start and end of the run of `segs` that contains the segment `at`, where `same` tells
// whether two neighbouring segments belong to one run (they must also touch).
template <class Segment, class Same>
period run_containing(std::span<const Segment> segs, std::size_t at, Same same) {
  std::size_t first = at, last = at;
  while (first > 0 && segs[first - 1].valid.to == segs[first].valid.from && same(segs[first - 1], segs[first]))
    --first;
  while (last + 1 < segs.size() && segs[last].valid.to == segs[last + 1].valid.from && same(segs[last], segs[last + 1]))
    ++last;
  return {segs[first].valid.from, segs[last].valid.to};
}

// S: manager sync from _leder units (doc/rules.md §3).
std::vector<change> run_managers(const rule_context& ctx);
// E: elevation (doc/rules.md §5).
std::vector<change> run_elevation(const rule_context& ctx);
// V: manager validity (doc/rules.md §4).
std::vector<change> run_validity(const rule_context& ctx);
// H: hierarchy classification (doc/rules.md §2).
std::vector<change> run_hierarchy(const rule_context& ctx);

}  // namespace linemgr::core
