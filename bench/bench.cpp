// linemgr benchmark: load, plan per module, the whole CLI run and its peak memory, next to a bare
// RapidJSON parse of the same file. Medians of repeated runs; see BENCHMARKS.md.
// usage: linemgr_bench LINEMGR_BIN WORK_DIR [UNITS] [RUNS] [PERSONS_PER_UNIT]
//        linemgr_bench --measure COMMAND... (wall ms and peak MiB of one command, for the scripts)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <fcntl.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linemgr/core/events.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/scope.hpp>
#include <linemgr/io/config_file.hpp>
#include <linemgr/io/json_internal.hpp>
#include <linemgr/io/plan_output.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include <rapidjson/filereadstream.h>
#include <rapidjson/reader.h>
#include "org_generator.hpp"

namespace examples = linemgr::examples;
using namespace linemgr::core;
using namespace linemgr::io;
using clock_type = std::chrono::steady_clock;

namespace {

template <class Fn>
double median_ms(int runs, Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = clock_type::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Runs a command with stdout to /dev/null; returns wall milliseconds and the child's peak RSS in MiB.
std::pair<double, double> run_child(const std::vector<std::string>& argv) {
  const auto t0 = clock_type::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::fprintf(stderr, "bench: %s failed\n", argv[0].c_str());
  return {ms, static_cast<double>(usage.ru_maxrss) / 1024.0};
}

// How far a measured child process goes with the file.
enum class step { dom_parse, sax_parse, load, plan, output };

// In a child: reads the file as `what` says (each from the file, as a program would) and returns
// the milliseconds of the last phase (for plan and output: that phase alone, after the ones before).
double run_step(step what, const std::string& snap_path, const config& cfg) {
  const auto t0 = clock_type::now();
  auto since = [](clock_type::time_point t) { return std::chrono::duration<double, std::milli>(clock_type::now() - t).count(); };
  if (what == step::dom_parse) {
    const std::string text = slurp(snap_path);
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError()) std::abort();
    return since(t0);
  }
  if (what == step::sax_parse) {
    std::FILE* f = std::fopen(snap_path.c_str(), "rb");
    char buffer[65536];
    rapidjson::FileReadStream in(f, buffer, sizeof buffer);
    rapidjson::BaseReaderHandler<> nothing;
    rapidjson::Reader reader;
    if (reader.Parse(in, nothing).IsError()) std::abort();
    std::fclose(f);
    return since(t0);
  }
  auto snap = read_snapshot_file(snap_path);
  if (!snap) std::abort();
  if (what == step::load) return since(t0);
  const auto t1 = clock_type::now();
  const plan p = make_plan(*snap, cfg, snap->today.value_or(0));
  if (what == step::plan) return since(t1);
  const auto t2 = clock_type::now();
  const std::string out = plan_to_json(*snap, p, nullptr);
  std::FILE* null = std::fopen("/dev/null", "wb");
  std::fwrite(out.data(), 1, out.size(), null);
  std::fclose(null);
  return since(t2);
}

// The step in `runs` fresh processes (this program again, with --step): median milliseconds and
// median peak RSS in MiB. A fresh process, not a fork: a fork would count this one's memory.
std::pair<double, double> measure_step(int runs, step what, const std::string& snap_path, const std::string& cfg_path) {
  std::vector<double> ms, mib;
  for (int i = 0; i < runs; ++i) {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[1], 1);
      const std::string kind = std::to_string(static_cast<int>(what));
      ::execl("/proc/self/exe", "linemgr_bench", "--step", kind.c_str(), snap_path.c_str(), cfg_path.c_str(), nullptr);
      _exit(127);
    }
    ::close(fds[1]);
    char answer[64] = {0};
    const ssize_t got = ::read(fds[0], answer, sizeof answer - 1);
    ::close(fds[0]);
    int status = 0;
    struct rusage usage {};
    ::wait4(pid, &status, 0, &usage);
    if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) std::fprintf(stderr, "bench: a step failed\n");
    ms.push_back(std::atof(answer));
    mib.push_back(static_cast<double>(usage.ru_maxrss) / 1024.0);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(mib.begin(), mib.end());
  return {ms[ms.size() / 2], mib[mib.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--measure") {  // one command, from this small process: "ms MiB"
    const auto [ms, mib] = run_child(std::vector<std::string>(argv + 2, argv + argc));
    std::printf("%.3f %.1f\n", ms, mib);
    return 0;
  }
  if (argc == 5 && std::string(argv[1]) == "--step") {  // one measured step, in a process of its own
    auto cfg = read_config_file(argv[4]);
    if (!cfg) return 78;
    std::printf("%.3f\n", run_step(static_cast<step>(std::atoi(argv[2])), argv[3], *cfg));
    return 0;
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s LINEMGR_BIN WORK_DIR [UNITS] [RUNS]\n", argv[0]);
    return 64;
  }
  const std::string bin = argv[1], dir = argv[2];
  const std::size_t units = argc > 3 ? std::stoul(argv[3]) : 100000;
  const int runs = argc > 4 ? std::stoi(argv[4]) : 5;
  const double persons_per_unit = argc > 5 ? std::stod(argv[5]) : 2.0;
  const std::string name = fmt::format("{}/org-{}-{}", dir, units, persons_per_unit);
  const std::string snap_path = name + ".json", cfg_path = name + ".toml";
  if (!exists(snap_path)) {  // generated in a child, so that this process stays small
    std::fprintf(stderr, "generating %zu units into %s ...\n", units, snap_path.c_str());
    const pid_t pid = ::fork();
    if (pid == 0) {
      examples::org_options o;
      o.units = units;
      o.persons_per_unit = persons_per_unit;
      const auto org = examples::generate_org(o);
      _exit(write_file_atomically(snap_path, org.snapshot_json) && write_file_atomically(cfg_path, org.config_toml) ? 0 : 74);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 74;
  }
  auto cfg = read_config_file(cfg_path);
  if (!cfg) return 78;

  // First, while this process is small (a child's peak memory counts what it inherits before it
  // execs): each step in a fresh process, from the file, and the whole CLI.
  const auto [dom_ms, dom_mib] = measure_step(runs, step::dom_parse, snap_path, cfg_path);
  const auto [sax_ms, sax_mib] = measure_step(runs, step::sax_parse, snap_path, cfg_path);
  const auto [load_ms, load_mib] = measure_step(runs, step::load, snap_path, cfg_path);
  const auto [plan_ms, plan_mib] = measure_step(runs, step::plan, snap_path, cfg_path);
  const auto [output_ms, output_mib] = measure_step(runs, step::output, snap_path, cfg_path);
  std::vector<double> walls, rss;
  for (int i = 0; i < std::max(3, runs / 2 + 1); ++i) {
    const auto [ms, mib] = run_child({bin, "reconcile-all", "--snapshot", snap_path, "--config", cfg_path, "--dry-run", "--format", "json"});
    walls.push_back(ms);
    rss.push_back(mib);
  }
  std::sort(walls.begin(), walls.end());
  std::sort(rss.begin(), rss.end());

  const std::string text = slurp(snap_path);
  snapshot snap;
  {
    auto s = parse_snapshot(text, snap_path);
    if (!s) std::abort();
    snap = std::move(s.value());
  }
  const day today = snap.today.value_or(0);
  const double file_mib = static_cast<double>(text.size()) / (1024.0 * 1024.0);

  std::printf("| organisation | %zu units, %zu persons, %zu engagements, %zu associations, %zu managers; %.1f MiB JSON |\n",
              snap.units.size(), snap.persons.size(), snap.engagements.size(), snap.associations.size(), snap.managers.size(), file_mib);
  std::printf("|---|---|\n");
  std::printf("| bare RapidJSON DOM parse (read the file, Document::Parse) | %.0f ms, peak %.0f MiB |\n", dom_ms, dom_mib);
  std::printf("| bare RapidJSON SAX parse (64 KiB chunks, no handler work) | %.0f ms (%.2fx), peak %.0f MiB |\n", sax_ms,
              sax_ms / dom_ms, sax_mib);
  std::printf("| load (read_snapshot_file: stream, validation, interning) | %.0f ms (%.2fx), peak %.0f MiB |\n", load_ms,
              load_ms / dom_ms, load_mib);
  std::printf("| plan, all four modules, after the load | %.0f ms, peak %.0f MiB |\n", plan_ms, plan_mib);
  std::printf("| output, the plan as JSON, after the plan | %.0f ms, peak %.0f MiB |\n", output_ms, output_mib);
  std::printf("| `linemgr reconcile-all --dry-run --format json`, the whole process | %.0f ms (%.2fx the bare DOM parse) |\n",
              walls[walls.size() / 2], walls[walls.size() / 2] / dom_ms);
  std::printf("| its peak resident memory | %.0f MiB (%.2fx the file) |\n", rss[rss.size() / 2], rss[rss.size() / 2] / file_mib);
  std::fflush(stdout);
  struct module_run {
    const char* name;
    config::modules_t modules;
  };
  const module_run modules[] = {{"managers (S) alone", {false, true, false, false}},
                                {"elevation (E) alone", {false, false, false, true}},
                                {"validity (V) alone", {false, false, true, false}},
                                {"hierarchy (H) alone", {true, false, false, false}},
                                {"all four modules", {true, true, true, true}}};
  std::size_t changes = 0;
  for (const module_run& m : modules) {
    config c = *cfg;
    c.modules = m.modules;
    const double ms = median_ms(runs, [&] { changes = make_plan(snap, c, today).changes.size(); });
    std::printf("| plan, %s | %.0f ms (%zu changes) |\n", m.name, ms, changes);
  }
  // A listen batch against the snapshot: its seeds (H11) and the plan of their scopes (core::plan_scope),
  // CPU time of this thread; one-event batches over every event kind in turn, and a 100-event batch.
  {
    auto cpu_ms = [] {
      timespec t{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
      return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6;
    };
    std::vector<event> pool;
    for (std::size_t i = 0; pool.size() < 140; ++i) {
      const std::size_t k = i * 7919;
      switch (i % 5) {
        case 0: pool.push_back({event_kind::org_unit, std::string(snap.units.records[k % snap.units.size()].id)}); break;
        case 1: pool.push_back({event_kind::engagement, std::string(snap.engagements.records[k % snap.engagements.size()].id)}); break;
        case 2: pool.push_back({event_kind::manager, std::string(snap.managers.records[k % snap.managers.size()].id)}); break;
        case 3: pool.push_back({event_kind::association, std::string(snap.associations.records[k % snap.associations.size()].id)}); break;
        default: pool.push_back({event_kind::person, std::string(snap.persons[k % snap.persons.size()].id)}); break;
      }
    }
    std::vector<double> one;
    std::size_t planned = 0;
    for (std::size_t i = 0; i < 40 * 5; ++i) {  // five passes over 40 events
      const double t0 = cpu_ms();
      const plan p = plan_scope(snap, *cfg, today, seed_units(snap, std::vector<event>{pool[i % 40]}));
      one.push_back(cpu_ms() - t0);
      planned += p.changes.size();
    }
    std::sort(one.begin(), one.end());
    const std::vector<event> hundred(pool.begin() + 40, pool.end());
    const double hundred_ms = median_ms(runs, [&] { (void)plan_scope(snap, *cfg, today, seed_units(snap, hundred)); });
    const double whole_ms = median_ms(runs, [&] {
      (void)scope_plan_units(snap, *cfg, make_plan(snap, *cfg, today), seed_units(snap, std::vector<event>{pool[0]}));
    });
    std::printf("| listen, one-event batch (seeds + plan of their scopes; median of 5 x 40, every event kind) | %.1f ms CPU (max %.1f ms) |\n",
                one[one.size() / 2], one.back());
    std::printf("| listen, 100-event batch | %.0f ms |\n", hundred_ms);
    std::printf("| listen, one-event batch planned on the whole organisation (before) | %.0f ms |\n", whole_ms);
    (void)planned;
  }
  return 0;
}
