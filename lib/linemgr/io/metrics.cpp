#include <linemgr/io/metrics.hpp>

#include <cmath>

#include <fmt/format.h>

namespace linemgr::io {

namespace {

std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string labels(std::string_view label, std::string_view value) {
  return label.empty() ? std::string() : fmt::format("{{{}=\"{}\"}}", label, escape_label(value));
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

}  // namespace

std::vector<double> duration_buckets() { return {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}; }

metrics::family* metrics::find(std::string_view name) {
  for (family& f : families_)
    if (f.name == name) return &f;
  return nullptr;
}

const metrics::family* metrics::find(std::string_view name) const {
  for (const family& f : families_)
    if (f.name == name) return &f;
  return nullptr;
}

void metrics::declare(std::string_view name, kind k, std::string_view help, std::vector<double> buckets) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (find(name)) return;
  family f;
  f.name = std::string(name);
  f.help = std::string(help);
  f.k = k;
  f.buckets = std::move(buckets);
  f.bucket_counts.assign(f.buckets.size(), 0);
  families_.push_back(std::move(f));
}

void metrics::add(std::string_view name, double by, std::string_view label, std::string_view value) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (family* f = find(name)) f->series[labels(label, value)] += by;
}

void metrics::set(std::string_view name, double v, std::string_view label, std::string_view value) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (family* f = find(name)) f->series[labels(label, value)] = v;
}

void metrics::observe(std::string_view name, double v) {
  std::lock_guard<std::mutex> lock(mutex_);
  family* f = find(name);
  if (!f) return;
  for (std::size_t i = 0; i < f->buckets.size(); ++i)
    if (v <= f->buckets[i]) f->bucket_counts[i] += 1;
  f->sum += v;
  f->count += 1;
}

double metrics::value(std::string_view name, std::string_view label, std::string_view value) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const family* f = find(name);
  if (!f) return 0;
  if (f->k == kind::histogram) return f->count;
  auto it = f->series.find(labels(label, value));
  return it == f->series.end() ? 0 : it->second;
}

std::string metrics::exposition() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const family& f : families_) {
    const char* type = f.k == kind::counter ? "counter" : f.k == kind::gauge ? "gauge" : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, type);
    if (f.k == kind::histogram) {
      for (std::size_t i = 0; i < f.buckets.size(); ++i)
        out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", f.name, number(f.buckets[i]), number(f.bucket_counts[i]));
      out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", f.name, number(f.count), f.name, number(f.sum),
                         f.name, number(f.count));
      continue;
    }
    if (f.series.empty() && f.k == kind::gauge) out += fmt::format("{} 0\n", f.name);
    for (const auto& [l, v] : f.series) out += fmt::format("{}{} {}\n", f.name, l, number(v));
  }
  return out;
}

}  // namespace linemgr::io
