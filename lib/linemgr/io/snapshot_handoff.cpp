// Records handed from the parser's thread to a reading thread in batches (snapshot_handoff_internal.hpp).
#include <linemgr/io/snapshot_handoff_internal.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace linemgr::io {

namespace {

// What the parser hands over, in document order.
struct item {
  enum class kind : std::uint8_t { record, root, units_done } what = kind::record;
  section s = section::count;
  root_field field = root_field::format;
  std::size_t index = 0;
  rapidjson::Value value;  // in the batch's pool
};

// Records and the pool they were built in; reused once read.
struct batch {
  rapidjson::MemoryPoolAllocator<> pool{64 * 1024};
  std::vector<item> items;
};

// Records per batch: enough that handing over costs little, few enough that both threads start soon.
constexpr std::size_t batch_records = 256;
// Batches that may wait for the reading thread; the parser waits when it is this far ahead.
constexpr std::size_t batches_ahead = 4;

}  // namespace

struct record_handoff::impl {
  explicit impl(record_reader& r) : reader(r) {
    filling = std::make_unique<batch>();
    worker = std::thread([this] { read_batches(); });
  }

  record_reader& reader;
  std::unique_ptr<batch> filling;  // the parser's
  std::mutex lock;
  std::condition_variable changed;
  std::deque<std::unique_ptr<batch>> full, spare;  // under `lock`
  bool ended = false;                              // under `lock`: no more batches come
  std::atomic<bool> refused{false};
  std::optional<std::string> refusal;  // the reading thread's until it has ended
  std::exception_ptr failure;          // likewise
  std::thread worker;

  // The reading thread: every batch in order until the end, or until something is refused.
  void read_batches() {
    for (;;) {
      std::unique_ptr<batch> b;
      {
        std::unique_lock<std::mutex> hold(lock);
        changed.wait(hold, [&] { return !full.empty() || ended; });
        if (full.empty()) return;
        b = std::move(full.front());
        full.pop_front();
      }
      changed.notify_all();
      if (!refused.load(std::memory_order_relaxed)) read(*b);
      b->items.clear();
      b->pool.Clear();
      std::lock_guard<std::mutex> hold(lock);
      spare.push_back(std::move(b));
    }
  }

  void read(const batch& b) {
    try {
      for (const item& it : b.items) switch (it.what) {
          case item::kind::record: reader.record(it.s, it.index, it.value); break;
          case item::kind::units_done: reader.units_done(); break;
          case item::kind::root:
            if (it.field == root_field::format) reader.format(it.value);
            else if (it.field == root_field::today) reader.today(it.value);
            else reader.organisation(it.value);
            break;
        }
    } catch (const bad_input& e) {
      refusal = e.message;
      refused.store(true);
    } catch (...) {
      failure = std::current_exception();
      refused.store(true);
    }
  }

  // Adds an item to the batch being filled; hands the batch over when it is full.
  bool add(item&& it) {
    filling->items.push_back(std::move(it));
    if (filling->items.size() >= batch_records) hand_over();
    return !refused.load(std::memory_order_relaxed);
  }

  void hand_over() {
    if (filling->items.empty()) return;
    std::unique_lock<std::mutex> hold(lock);
    changed.wait(hold, [&] { return full.size() < batches_ahead; });
    full.push_back(std::move(filling));
    if (!spare.empty()) {
      filling = std::move(spare.front());
      spare.pop_front();
    }
    hold.unlock();
    changed.notify_all();
    if (!filling) filling = std::make_unique<batch>();
  }

  void end() {
    if (!worker.joinable()) return;
    hand_over();
    {
      std::lock_guard<std::mutex> hold(lock);
      ended = true;
    }
    changed.notify_all();
    worker.join();
  }
};

record_handoff::record_handoff(record_reader& reader) : impl_(std::make_unique<impl>(reader)) {}

record_handoff::~record_handoff() { impl_->end(); }

rapidjson::MemoryPoolAllocator<>& record_handoff::pool() { return impl_->filling->pool; }

bool record_handoff::record(section s, std::size_t index, rapidjson::Value& rec) {
  item it;
  it.s = s;
  it.index = index;
  it.value.Swap(rec);
  return impl_->add(std::move(it));
}

bool record_handoff::root(root_field f, const rapidjson::Value& v) {
  item it;
  it.what = item::kind::root;
  it.field = f;
  if (v.IsString()) it.value.SetString(v.GetString(), v.GetStringLength(), impl_->filling->pool);  // the parser's text goes
  else it.value.CopyFrom(v, impl_->filling->pool);
  return impl_->add(std::move(it));
}

bool record_handoff::units_done() {
  item it;
  it.what = item::kind::units_done;
  return impl_->add(std::move(it));
}

std::optional<std::string> record_handoff::finish() {
  impl_->end();
  if (impl_->failure) std::rethrow_exception(impl_->failure);
  return impl_->refusal;
}

}  // namespace linemgr::io
