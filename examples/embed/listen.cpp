// The service layer from a program of its own: listen's loop over an event source the program
// brings (here: events in a vector), against a snapshot, printing what each batch changed.
// usage: linemgr-embed-listen SNAPSHOT CONFIG UNIT...   (one org_unit event per UNIT)
#include <cstdio>
#include <deque>
#include <string>

#include <linemgr/service/listen.hpp>
#include <linemgr/service/reconcile.hpp>
#include <linemgr/service/settings.hpp>

namespace {

// Hands out its events, then ends; nothing to acknowledge.
class vector_source final : public linemgr::service::event_source {
 public:
  explicit vector_source(std::deque<linemgr::core::event> events) : events_(std::move(events)) {}
  linemgr::core::status connect() override { return {}; }
  linemgr::core::result<std::optional<linemgr::service::message>> next(std::chrono::steady_clock::time_point) override {
    if (events_.empty()) return std::optional<linemgr::service::message>();
    linemgr::service::message m;
    m.tag = ++tag_;
    m.parsed = std::optional(events_.front());
    events_.pop_front();
    return std::optional(std::move(m));
  }
  bool ended() const override { return events_.empty(); }
  linemgr::core::status ack(std::uint64_t) override { return {}; }
  linemgr::core::status reject(std::uint64_t) override { return {}; }
  linemgr::service::when_exhausted exhausted() const override { return linemgr::service::when_exhausted::fail; }

 private:
  std::deque<linemgr::core::event> events_;
  std::uint64_t tag_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  namespace service = linemgr::service;
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s SNAPSHOT CONFIG UNIT...\n", argv[0]);
    return 64;
  }
  // The same settings as the linemgr command: the configuration file, the environment, defaults.
  service::setting_flags flags;
  flags.config = argv[2];
  auto settings = service::settings::load(flags);
  if (!settings) {
    std::fprintf(stderr, "%s\n", settings.err().message.c_str());
    return 78;
  }
  service::organisation org = service::organisation::from_snapshot_file(argv[1], settings->rules());
  if (auto loaded = org.load(); !loaded) {
    std::fprintf(stderr, "%s\n", loaded.err().message.c_str());
    return 65;
  }
  std::deque<linemgr::core::event> events;
  for (int i = 3; i < argc; ++i) events.push_back({linemgr::core::event_kind::org_unit, argv[i]});
  vector_source source(std::move(events));

  service::run_options run;
  run.command = "listen";
  const service::batch_handler handle = [&](const std::vector<linemgr::core::event>& batch) {
    auto r = service::reconcile_batch(org, batch, run, nullptr);
    if (r) std::printf("batch of %zu events: %zu units, %zu changes applied\n", batch.size(), r->units, r->applied ? r->applied->ok : 0);
    return r;
  };
  service::listen_options options;
  options.coalesce = std::chrono::milliseconds(0);
  auto totals = service::listen(source, handle, options, std::stop_token());
  if (!totals) {
    std::fprintf(stderr, "%s\n", totals.err().message.c_str());
    return 69;
  }
  std::printf("%zu events in %zu batches: %zu changes applied\n", totals->events, totals->batches, totals->ok);
  return 0;
}
