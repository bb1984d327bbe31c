#pragma once
// Prometheus metrics: counters, gauges and one histogram kind, safe to update from several
// threads, rendered in the text exposition format (0.0.4). No I/O: a server shows the text.
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace linemgr::io {

// A set of metric families.
class metrics {
 public:
  enum class kind { counter, gauge, histogram };
  // Declares a family (its type and help line); families appear in declaration order.
  void declare(std::string_view name, kind k, std::string_view help, std::vector<double> buckets = {});
  // Adds to a counter (or a gauge), with an optional label.
  void add(std::string_view name, double by = 1, std::string_view label = {}, std::string_view value = {});
  // Sets a gauge.
  void set(std::string_view name, double v, std::string_view label = {}, std::string_view value = {});
  // Records one observation in a histogram.
  void observe(std::string_view name, double v);
  // The value of a series (0 when never set), for tests and health checks.
  double value(std::string_view name, std::string_view label = {}, std::string_view value = {}) const;
  // The text exposition of every family.
  std::string exposition() const;

 private:
  struct family {
    std::string name, help;
    kind k = kind::counter;
    std::map<std::string, double> series;  // rendered label set -> value
    std::vector<double> buckets;           // histogram upper bounds
    std::vector<double> bucket_counts;
    double sum = 0, count = 0;
  };
  family* find(std::string_view name);
  const family* find(std::string_view name) const;
  mutable std::mutex mutex_;
  std::vector<family> families_;
};

// The default buckets for durations in seconds.
std::vector<double> duration_buckets();

}  // namespace linemgr::io
