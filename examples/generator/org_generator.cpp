#include "org_generator.hpp"

#include <array>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <linemgr/core/plan.hpp>
#include <linemgr/io/config_file.hpp>
#include <linemgr/io/snapshot_file.hpp>

namespace linemgr::examples {
using namespace linemgr::core;
using namespace linemgr::io;


namespace {

// splitmix64: small, fast and the same everywhere.
class rng {
 public:
  explicit rng(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  // True with probability p.
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& items) { return items[next() % N]; }
  // A uuid-shaped id.
  std::string uuid() {
    const std::uint64_t a = next(), b = next();
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFF,
                       0x8000 | ((b >> 48) & 0x3FFF), b & 0xFFFFFFFFFFFFull);
  }

 private:
  std::uint64_t state_;
};

constexpr std::array<std::string_view, 18> area_words{
    "Skole", "Børnehave", "Plejecenter", "Vej og Park", "Borgerservice", "Jobcenter", "Bibliotek", "Sundhedspleje", "Kulturhus",
    "Teknik", "Miljø", "Dagtilbud", "Ældrepleje", "Handicap", "Familie", "Digitalisering", "Økonomi", "Løn og Personale"};
constexpr std::array<std::string_view, 16> place_words{"Nord", "Syd", "Øst",   "Vest",  "Centrum", "Viuf",   "Hald",  "Bjert",
                                                       "Sønderby", "Åby", "Ølsted", "Bække", "Vester Nebel", "Gauerslund", "Hover", "Egtved"};
constexpr std::array<std::string_view, 20> first_names{"Anne",  "Mette", "Lars",   "Søren", "Jens",  "Hanne", "Kirsten",
                                                       "Niels", "Maria", "Peter",  "Ida",   "Freja", "Mads",  "Emil",
                                                       "Åse",   "Bjørn", "Louise", "Jonas", "Sofie", "Rasmus"};
constexpr std::array<std::string_view, 16> last_names{"Jensen", "Nielsen", "Hansen",  "Pedersen", "Andersen", "Christensen",
                                                      "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen",
                                                      "Kristensen", "Olsen", "Thomsen", "Mølgaard"};
constexpr std::array<std::string_view, 7> levels{"NY6-niveau", "NY5-niveau", "NY4-niveau", "NY3-niveau",
                                                 "NY2-niveau", "NY1-niveau", "Afdelings-niveau"};
constexpr std::array<std::string_view, 7> manager_levels{"Direktion", "Niveau 1", "Niveau 2", "Niveau 3",
                                                         "Niveau 4", "Niveau 4", "Niveau 5"};

std::string date(std::int64_t y, std::int64_t m, std::int64_t d) { return fmt::format("{:04}-{:02}-{:02}", y, m, d); }

struct unit_rec {
  std::string id, name, parent;
  int depth = 0;  // index into levels; -1 = no level
  std::string level_override;
  std::string from = "1998-01-01", to;
  bool leder = false;
  std::size_t managed = 0;  // for a leder unit: the unit it designates for
  std::vector<std::size_t> staff;  // persons engaged here (index into persons)
};

class generator {
 public:
  explicit generator(const org_options& o) : o_(o), r_(o.seed) {}

  generated_org run() {
    build_tree();
    build_people();
    build_leder_units();
    data_errors();
    generated_org out{emit_snapshot(), emit_config()};
    if (o_.settle) out.snapshot_json = settle(out);
    return out;
  }

 private:
  std::size_t add_unit(std::string name, std::size_t parent, int depth) {
    unit_rec u;
    u.id = r_.uuid();
    u.name = std::move(name);
    u.parent = parent == npos ? org_ : units_[parent].id;
    u.depth = depth;
    units_.push_back(std::move(u));
    return units_.size() - 1;
  }

  void build_tree() {
    org_ = r_.uuid();
    root_ = add_unit("Kommune", npos, 0);
    const std::size_t target = std::max<std::size_t>(o_.units, 40);
    // Special subtrees under the root: hidden, self-owned and external.
    hidden_ = add_unit("Skjulte enheder", root_, 1);
    for (int i = 0; i < 3; ++i) add_unit(fmt::format("Skjult enhed {}", i + 1), hidden_, 3);
    self_owned_ = add_unit("Selvejende institutioner", root_, 1);
    for (int i = 0; i < 4; ++i) add_unit(fmt::format("Selvejende børnehave {}", r_.pick(place_words)), self_owned_, 6);
    external_ = add_unit("Eksterne samarbejdspartnere", root_, 1);
    add_unit("Regionens akutteam", external_, 6);
    // The line organisation, breadth first, until the units plus the leder units expected
    // for them (build_leder_units) reach the target.
    double expected = static_cast<double>(units_.size());
    auto add_line_unit = [&](std::string name, std::size_t parent, int depth) {
      expected += 1.0 + 1.1 * (depth >= 6 ? 0.3 * 0.85 : 0.85);
      return add_unit(std::move(name), parent, depth);
    };
    std::vector<std::size_t> queue;
    for (int i = 0; i < 6; ++i) queue.push_back(add_line_unit(fmt::format("{} forvaltning", r_.pick(area_words)), root_, 1));
    for (std::size_t qi = 0; qi < queue.size() && expected < static_cast<double>(target); ++qi) {
      const std::size_t parent = queue[qi];
      const int depth = units_[parent].depth;
      // Afdelings-niveau units get sub-departments of their own only in large organisations.
      if (depth >= 6 && target < 4000) continue;
      const auto children = depth >= 6 ? r_.range(1, 3) : r_.range(2, depth < 3 ? 8 : 6);
      for (std::int64_t c = 0; c < children && expected < static_cast<double>(target); ++c) {
        const int child_depth = std::min(6, depth + static_cast<int>(r_.range(1, 2)));
        queue.push_back(add_line_unit(fmt::format("{} {} {}", r_.pick(area_words), r_.pick(place_words), units_.size()), parent, child_depth));
      }
    }
  }

  std::size_t add_person() {
    persons_.push_back({r_.uuid(), fmt::format("{} {}", r_.pick(first_names), r_.pick(last_names))});
    return persons_.size() - 1;
  }

  // An engagement of person p in unit u, with some history.
  void engage(std::size_t p, std::size_t u, const std::string& from) {
    engagement e;
    e.id = r_.uuid();
    e.person = p;
    e.type = r_.chance(0.9) ? "Ansat" : r_.chance(0.7) ? "Timeløn" : "Elev";
    const std::size_t other = line_units_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(line_units_.size()) - 1))];
    if (from.empty() && r_.chance(0.15)) {  // moved here from another unit: two segments
      const auto y = r_.range(2005, 2023);
      e.segments.push_back({other, date(r_.range(1995, y - 1), r_.range(1, 12), 1), date(y, r_.range(1, 12), 1)});
      e.segments.push_back({u, e.segments.back().to, ""});
    } else {
      const auto y = r_.range(1995, 2025);
      e.segments.push_back({u, from.empty() ? date(y, r_.range(1, 12), r_.range(1, 28)) : from, ""});
      if (from.empty() && r_.chance(0.04)) e.segments.back().to = date(r_.range(2026, 2027), r_.range(4, 12), 1);  // ends later
      else if (from.empty() && y < 2024 && r_.chance(0.03)) e.segments.back().to = date(y + 1, r_.range(1, 12), 1);  // ended
    }
    e.primary = r_.chance(0.5);
    if (start_of_.size() <= p) start_of_.resize(p + 1);
    if (start_of_[p].empty()) start_of_[p] = e.segments.front().from;
    units_[u].staff.push_back(p);
    engagements_.push_back(std::move(e));
  }

  void build_people() {
    for (std::size_t u = 0; u < units_.size(); ++u)
      if (u != hidden_) line_units_.push_back(u);
    const auto total = static_cast<std::size_t>(static_cast<double>(o_.units) * o_.persons_per_unit);
    // Everyone has an engagement; leaves get more staff than departments.
    for (std::size_t i = 0; i < total; ++i) {
      const std::size_t p = add_person();
      std::size_t u = line_units_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(line_units_.size()) - 1))];
      if (r_.chance(0.6) && units_[u].depth < 5) u = line_units_[line_units_.size() - 1 - (i % (line_units_.size() / 2))];
      engage(p, u, "");
      if (r_.chance(0.05)) engage(p, line_units_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(line_units_.size()) - 1))], "");
    }
    // Some plain associations (committee members and the like).
    for (std::size_t i = 0; i < total / 20; ++i) {
      const std::size_t u = line_units_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(line_units_.size()) - 1))];
      associations_.push_back({r_.uuid(), static_cast<std::int64_t>(r_.range(0, static_cast<std::int64_t>(persons_.size()) - 1)), u,
                               "Medlem", date(r_.range(2015, 2025), 1, 1), ""});
    }
  }

  void add_manager(std::int64_t person, std::size_t unit, std::string level, std::string type, std::string from, std::string to = "") {
    managers_.push_back({r_.uuid(), person, unit, std::move(level), std::move(type), std::move(from), std::move(to)});
  }

  std::string level_of(std::size_t u) const {
    const unit_rec& x = units_[u];
    if (!x.level_override.empty()) return x.level_override;
    return x.depth < 0 ? "" : std::string(manager_levels[static_cast<std::size_t>(x.depth)]);
  }

  void build_leder_units() {
    const std::size_t existing = units_.size();
    for (std::size_t u = 0; u < existing; ++u) {
      if (u == hidden_ || units_[u].parent == units_[hidden_].id) continue;
      if (units_[u].depth >= 6 && !r_.chance(0.3)) continue;
      if (!r_.chance(0.85)) continue;
      std::size_t managed = u;
      if (units_[u].depth >= 1 && units_[u].depth <= 2 && r_.chance(0.25)) {  // led-adm: the leder unit sits below it
        managed = add_unit(units_[u].name + " led-adm", u, units_[u].depth + 1);
        units_[managed].depth = units_[u].depth;
      }
      const std::size_t l = add_unit(units_[managed].name + "_leder", managed, units_[managed].depth);
      units_[l].leder = true;
      units_[l].managed = managed;
      // The designee works in the managed unit; make sure there is someone.
      const std::size_t designee = add_person();
      engage(designee, managed, date(r_.range(2000, 2024), r_.range(1, 12), 1));
      const std::string manager_level = level_of(u);  // for led-adm: the level of its parent (S9)
      const double dice = static_cast<double>(r_.next() % 1000) / 1000.0;
      auto designate = [&](std::int64_t person) {
        associations_.push_back({r_.uuid(), person, l, "Tilknytning", date(r_.range(2010, 2025), 1, 1), ""});
      };
      auto managers_for = [&](std::int64_t person, std::string level) {
        const std::string from = person < 0 ? date(2010, 1, 1) : start_of_[static_cast<std::size_t>(person)];
        add_manager(person, managed, level, "Leder", from);
        if (managed != u) add_manager(person, u, level, "Leder", from);
      };
      const auto d = static_cast<std::int64_t>(designee);
      if (dice < 0.70) {  // all as it should be
        designate(d);
        managers_for(d, manager_level);
      } else if (dice < 0.78) {  // a new designation: manager to create
        designate(d);
      } else if (dice < 0.84) {  // the manager is someone else: end and create
        designate(d);
        managers_for(static_cast<std::int64_t>(units_[managed].staff.front()), manager_level);
      } else if (dice < 0.88) {  // wrong level: update
        designate(d);
        managers_for(d, "Niveau 9");
      } else if (dice < 0.92) {  // a vacant placeholder
        designate(d);
        managers_for(-1, manager_level);
      } else if (dice < 0.95) {  // two candidates: the latest engagement start wins
        designate(d);
        const std::size_t rival = add_person();
        engage(rival, managed, "1999-02-01");
        designate(static_cast<std::int64_t>(rival));
        managers_for(static_cast<std::int64_t>(rival), manager_level);
      } else if (dice < 0.97) {  // a tie
        const std::size_t rival = add_person();
        engage(rival, managed, engagements_.back().segments.back().from);
        designate(d);
        designate(static_cast<std::int64_t>(rival));
      } else if (dice < 0.985) {  // an association without a person
        designate(d);
        designate(-1);
        managers_for(d, manager_level);
      } else {  // the designee is not employed in the managed unit
        const std::size_t outsider = add_person();
        engage(outsider, root_, "2015-01-01");
        designate(static_cast<std::int64_t>(outsider));
      }
    }
    // A deputy that manager sync leaves alone, and managers whose engagement ended (stale).
    for (std::size_t i = 0; i < units_.size() / 50; ++i) {
      const std::size_t u = line_units_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(line_units_.size()) - 1))];
      if (units_[u].staff.empty()) continue;
      const std::size_t deputy = units_[u].staff.back();
      add_manager(static_cast<std::int64_t>(deputy), u, level_of(u).empty() ? "Niveau 5" : level_of(u), "Stedfortræder", start_of_[deputy]);
    }
    // New manager roles that began in the last days or begin soon (elevation acts on these).
    for (std::size_t i = 0; i < units_.size() / 60 + 1; ++i) {
      const std::size_t u = line_units_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(line_units_.size()) - 1))];
      if (units_[u].staff.empty()) continue;
      const std::size_t p = units_[u].staff[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(units_[u].staff.size()) - 1))];
      const std::int64_t offset = r_.range(-6, 40);  // days from today
      const day start = *parse_date(o_.today) + static_cast<day>(offset);
      add_manager(static_cast<std::int64_t>(p), r_.chance(0.7) ? u : line_units_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(line_units_.size()) - 1))],
                  level_of(u).empty() ? "Niveau 5" : level_of(u), r_.chance(0.8) ? "Leder" : "Stedfortræder", format_date(start));
    }
    for (std::size_t i = 0; i < units_.size() / 100 + 1; ++i) {
      const std::size_t p = add_person();
      const std::size_t u = line_units_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(line_units_.size()) - 1))];
      engagements_.push_back({r_.uuid(), p, "Ansat", false, {{u, "2012-01-01", "2024-07-01"}}});
      add_manager(static_cast<std::int64_t>(p), u, "Niveau 5", "Stedfortræder", "2016-01-01");
    }
  }

  void data_errors() {
    // A parent cycle in an old structure nobody cleaned up.
    const std::size_t a = add_unit("Gammel struktur A", root_, 4), b = add_unit("Gammel struktur B", a, 5);
    units_[a].parent = units_[b].id;
    // A unit whose parent was closed.
    const std::size_t closed = add_unit("Nedlagt område", root_, 2);
    units_[closed].to = "2024-01-01";
    const std::size_t orphan = add_unit("Restenhed", closed, 3);
    engage(add_person(), orphan, "2019-01-01");
    // A leder unit at the root.
    const std::size_t stray = add_unit("Projektgruppe_leder", npos, 3);
    associations_.push_back({r_.uuid(), static_cast<std::int64_t>(persons_.size() - 1), stray, "Tilknytning", "2022-01-01", ""});
    // A unit without a level, and one with a level that has no mapping, both with a leder unit.
    for (const char* level : {"", "NY0-niveau"}) {
      const std::size_t u = add_unit(*level ? "Særlig enhed" : "Enhed uden niveau", root_, -1);
      units_[u].level_override = level;
      const std::size_t l = add_unit(units_[u].name + "_leder", u, 6);
      const std::size_t p = add_person();
      engage(p, u, "2021-05-01");
      associations_.push_back({r_.uuid(), static_cast<std::int64_t>(p), l, "Tilknytning", "2021-05-01", ""});
    }
  }

  std::string class_uuid(std::string_view user_key) {
    for (const auto& [k, v] : class_ids_)
      if (k == user_key) return v;
    class_ids_.emplace_back(std::string(user_key), r_.uuid());
    return class_ids_.back().second;
  }

  std::string emit_snapshot() {
    for (std::size_t i = 0; i < persons_.size(); i += 10) it_ids_.push_back(r_.uuid());
    for (std::size_t u = 0; u < units_.size(); ++u) unit_it_ids_.push_back(r_.uuid());
    std::string out;
    auto cls = [&](std::string_view facet, std::string_view user_key, std::string_view name) {
      fmt::format_to(std::back_inserter(out), "  {{\"uuid\": \"{}\", \"user_key\": \"{}\", \"name\": \"{}\", \"facet\": \"{}\"}},\n",
                     class_uuid(user_key), user_key, name, facet);
    };
    fmt::format_to(std::back_inserter(out), "{{\"format\": \"linemgr-snapshot/1\", \"today\": \"{}\", \"organisation\": \"{}\",\n\"classes\": [\n",
                   o_.today, org_);
    cls("org_unit_hierarchy", "linjeorg", "Linjeorganisation");
    cls("org_unit_hierarchy", "NA", "Udenfor linjeorganisationen");
    cls("org_unit_hierarchy", "selvejet", "Selvejet institution");
    cls("org_unit_hierarchy", "external", "Ekstern");
    cls("org_unit_hierarchy", "hide", "Skjult");
    for (std::string_view l : levels) cls("org_unit_level", l, l);
    cls("org_unit_level", "NY0-niveau", "NY0-niveau");
    for (std::string_view l : {"Direktion", "Niveau 1", "Niveau 2", "Niveau 3", "Niveau 4", "Niveau 5", "Niveau 9"}) cls("manager_level", l, l);
    cls("manager_type", "Leder", "Leder");
    cls("manager_type", "Stedfortræder", "Stedfortræder");
    cls("responsibility", "Personale", "Personaleansvar");
    for (std::string_view t : {"Ansat", "Timeløn", "Elev"}) cls("engagement_type", t, t);
    cls("association_type", "Tilknytning", "Tilknytning");
    out.resize(out.size() - 2);
    out += "\n],\n\"units\": [\n";
    for (std::size_t i = 0; i < units_.size(); ++i) {
      const unit_rec& u = units_[i];
      const std::string level = !u.level_override.empty() ? u.level_override
                                : u.depth < 0             ? ""
                                                          : std::string(levels[static_cast<std::size_t>(u.depth)]);
      fmt::format_to(std::back_inserter(out),
                     "  {{\"id\": \"{}\", \"name\": \"{}\", \"user_key\": \"U{:05}\", \"parent\": \"{}\", \"level\": {}, \"class\": null, "
                     "\"from\": \"{}\", \"to\": {}}}{}\n",
                     u.id, u.name, i, u.parent, level.empty() ? "null" : fmt::format("\"{}\"", class_uuid(level)), u.from,
                     u.to.empty() ? "null" : fmt::format("\"{}\"", u.to), i + 1 < units_.size() ? "," : "");
    }
    out += "],\n\"persons\": [\n";
    for (std::size_t i = 0; i < persons_.size(); ++i)
      fmt::format_to(std::back_inserter(out), "  {{\"id\": \"{}\", \"name\": \"{}\"}}{}\n", persons_[i].first, persons_[i].second,
                     i + 1 < persons_.size() ? "," : "");
    out += "],\n\"engagements\": [\n";
    for (std::size_t i = 0; i < engagements_.size(); ++i) {
      const engagement& e = engagements_[i];
      fmt::format_to(std::back_inserter(out), "  {{\"id\": \"{}\", \"person\": \"{}\", \"type\": \"{}\", \"primary\": {}, \"segments\": [",
                     e.id, persons_[e.person].first, e.type, e.primary ? "true" : "false");
      for (std::size_t s = 0; s < e.segments.size(); ++s)
        fmt::format_to(std::back_inserter(out), "{}{{\"unit\": \"{}\", \"from\": \"{}\", \"to\": {}}}", s ? ", " : "",
                       units_[e.segments[s].unit].id, e.segments[s].from,
                       e.segments[s].to.empty() ? "null" : fmt::format("\"{}\"", e.segments[s].to));
      fmt::format_to(std::back_inserter(out), "]}}{}\n", i + 1 < engagements_.size() ? "," : "");
    }
    out += "],\n\"associations\": [\n";
    for (std::size_t i = 0; i < associations_.size(); ++i) {
      const association& a = associations_[i];
      fmt::format_to(std::back_inserter(out), "  {{\"id\": \"{}\", \"person\": {}, \"unit\": \"{}\", \"type\": \"{}\", \"from\": \"{}\", \"to\": null}}{}\n",
                     a.id, a.person < 0 ? "null" : fmt::format("\"{}\"", persons_[static_cast<std::size_t>(a.person)].first),
                     units_[a.unit].id, a.type, a.from, i + 1 < associations_.size() ? "," : "");
    }
    out += "],\n\"it_users\": [\n";
    // An Active Directory account for every tenth person, and an SD unit id for every unit with staff.
    bool first_it = true;
    for (std::size_t i = 0; i < persons_.size(); i += 10) {
      fmt::format_to(std::back_inserter(out), "{}  {{\"id\": \"{}\", \"person\": \"{}\", \"unit\": null, \"it_system\": \"Active Directory\", "
                     "\"from\": \"2015-01-01\", \"to\": null}}", first_it ? "" : ",\n", it_ids_[i / 10], persons_[i].first);
      first_it = false;
    }
    for (std::size_t u = 0; u < units_.size(); ++u) {
      if (units_[u].staff.empty() || !units_[u].to.empty()) continue;
      fmt::format_to(std::back_inserter(out), "{}  {{\"id\": \"{}\", \"person\": null, \"unit\": \"{}\", \"it_system\": \"SD\", "
                     "\"from\": \"{}\", \"to\": null}}", first_it ? "" : ",\n", unit_it_ids_[u], units_[u].id, units_[u].from);
      first_it = false;
    }
    out += "\n],\n\"managers\": [\n";
    for (std::size_t i = 0; i < managers_.size(); ++i) {
      const manager& m = managers_[i];
      fmt::format_to(std::back_inserter(out),
                     "  {{\"id\": \"{}\", \"person\": {}, \"unit\": \"{}\", \"level\": \"{}\", \"type\": \"{}\", \"responsibilities\": "
                     "[\"Personale\"], \"from\": \"{}\", \"to\": {}}}{}\n",
                     m.id, m.person < 0 ? "null" : fmt::format("\"{}\"", persons_[static_cast<std::size_t>(m.person)].first),
                     units_[m.unit].id, m.level, m.type, m.from, m.to.empty() ? "null" : fmt::format("\"{}\"", m.to),
                     i + 1 < managers_.size() ? "," : "");
    }
    out += "]}\n";
    return out;
  }

  std::string emit_config() const {
    std::string out = "# Rules configuration for the generated municipality (doc/formats.md §2).\n";
    out += "modules = [\"hierarchy\", \"managers\", \"validity\"]\n\n[hierarchy]\n";
    fmt::format_to(std::back_inserter(out), "top_level = [\"{}\"]\nhidden_roots = [\"{}\"]\nself_owned_roots = [\"{}\"]\nexternal_roots = [\"{}\"]\n",
                   units_[root_].id, units_[hidden_].id, units_[self_owned_].id, units_[external_].id);
    out += "hidden_engagement_types = [\"Elev\"]\n\n[managers]\nmanager_type = \"Leder\"\nresponsibilities = [\"Personale\"]\n\n";
    out += "[managers.level_mapping]\n";
    for (std::size_t i = 0; i < levels.size(); ++i) fmt::format_to(std::back_inserter(out), "\"{}\" = \"{}\"\n", levels[i], manager_levels[i]);
    return out;
  }

  // Applies most of the hierarchy plan, as a municipality whose classes are mostly kept up to date.
  std::string settle(const generated_org& draft) {
    auto snap = parse_snapshot(draft.snapshot_json, "generated snapshot");
    if (!snap) throw std::runtime_error(snap.err().message);
    auto cfg = parse_config(draft.config_toml, "generated config");
    if (!cfg) throw std::runtime_error(cfg.err().message);
    config hierarchy_only = *cfg;
    hierarchy_only.modules = {true, false, false, false};
    const day today = *parse_date(o_.today);
    plan p = make_plan(*snap, hierarchy_only, today);
    plan keep;
    keep.today = today;
    for (change& c : p.changes)
      if (r_.chance(0.96)) {
        c.span.from = beginning_of_time;  // classified all along
        keep.changes.push_back(std::move(c));
      }
    apply_plan(*snap, keep);
    return snapshot_to_json(*snap);
  }

  struct segment {
    std::size_t unit;
    std::string from, to;
  };
  struct engagement {
    std::string id;
    std::size_t person;
    std::string type;
    bool primary = false;
    std::vector<segment> segments;
  };
  struct association {
    std::string id;
    std::int64_t person;  // -1: none
    std::size_t unit;
    std::string type, from, to;
  };
  struct manager {
    std::string id;
    std::int64_t person;  // -1: vacant
    std::size_t unit;
    std::string level, type, from, to;
  };
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  const org_options& o_;
  rng r_;
  std::string org_;
  std::size_t root_ = 0, hidden_ = 0, self_owned_ = 0, external_ = 0;
  std::vector<unit_rec> units_;
  std::vector<std::size_t> line_units_;
  std::vector<std::pair<std::string, std::string>> persons_;  // id, name
  std::vector<std::string> start_of_;                          // per person: the start of their first engagement
  std::vector<engagement> engagements_;
  std::vector<association> associations_;
  std::vector<manager> managers_;
  std::vector<std::string> it_ids_, unit_it_ids_;
  std::vector<std::pair<std::string, std::string>> class_ids_;
};

}  // namespace

generated_org generate_org(const org_options& options) { return generator(options).run(); }

}  // namespace linemgr::examples
