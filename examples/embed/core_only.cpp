// The rules alone: an organisation built in code, planned with linemgr::core. Links nothing but
// the standard library (no curl, AMQP, SQLite or OpenSSL).
#include <cstdio>
#include <string>

#include <linemgr/core/plan.hpp>

int main() {
  using namespace linemgr::core;
  const day start = days_from_civil(2020, 1, 1);
  snapshot org;
  org.organisation = "ORG";
  org.classes.push_back({"c-line", "linjeorg", "Linjeorganisation", "org_unit_hierarchy"});
  // TOP, and below it DEPT; neither has a class yet.
  const unit_segment top{{start, open_end}, "", no_index, no_index, no_index};
  const unit_segment dept{{start, open_end}, "TOP", 0, no_index, no_index};
  org.units.add("TOP", std::span(&top, 1));
  org.unit_infos.push_back({"Top", "top"});
  org.units.add("DEPT", std::span(&dept, 1));
  org.unit_infos.push_back({"Department", "dept"});

  config rules;
  rules.hierarchy.top_level = {"TOP"};
  const plan p = make_plan(org, rules, days_from_civil(2026, 3, 2));
  for (const change& c : p.changes)
    std::printf("%s %s %s\n", std::string(op_name(c.kind)).c_str(), std::string(org.units.records[c.unit].id).c_str(), c.klass.c_str());
  std::printf("%zu changes, %zu diagnostics\n", p.changes.size(), p.diagnostics.size());
  return 0;
}
