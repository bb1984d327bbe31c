// Loads a snapshot and prints a person's line manager: liblinemgr in a few lines.
// usage: linemgr-embed-example SNAPSHOT [PERSON] (default: the first person with a current engagement)
#include <cstdio>
#include <string>

#include <linemgr/core/manager_of.hpp>
#include <linemgr/io/snapshot_file.hpp>

namespace core = linemgr::core;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SNAPSHOT [PERSON]\n", argv[0]);
    return 64;
  }
  auto snap = linemgr::io::read_snapshot_file(argv[1]);
  if (!snap) {
    std::fprintf(stderr, "%s\n", snap.err().message.c_str());
    return 65;
  }
  const core::day today = snap->today.value_or(core::days_from_civil(2026, 3, 2));
  core::index_t person = core::no_index;
  if (argc > 2) {
    person = snap->person_ids.find(argv[2]);
  } else {
    for (core::index_t e = 0; e < snap->engagements.size() && person == core::no_index; ++e)
      if (const auto* s = snap->engagements.active_at(e, today)) person = s->person;
  }
  if (person == core::no_index) {
    std::fprintf(stderr, "no such person\n");
    return 65;
  }
  for (const auto& answer : core::line_managers_of_person(*snap, person, today)) {
    const std::string who(snap->persons[person].id);
    if (answer.manager == core::no_index)
      std::printf("%s: no line manager\n", who.c_str());
    else
      std::printf("%s: line manager %s (manages %s)\n", who.c_str(), std::string(snap->persons[answer.person].id).c_str(),
                  std::string(snap->units.records[answer.manager_unit].id).c_str());
  }
  return 0;
}
