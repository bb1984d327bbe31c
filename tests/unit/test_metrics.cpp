#include <doctest/doctest.h>

#include <linemgr/io/metrics.hpp>

using namespace linemgr::io;

TEST_SUITE("io::metrics") {
  TEST_CASE("counters, gauges and a cumulative histogram in the Prometheus text format") {
    metrics m;
    m.declare("x_total", metrics::kind::counter, "Things.");
    m.declare("up", metrics::kind::gauge, "Up or not.");
    m.declare("d_seconds", metrics::kind::histogram, "Durations.", {0.1, 1});
    m.add("x_total", 1, "routing_key", "org_unit");
    m.add("x_total", 2, "routing_key", "org_unit");
    m.add("x_total", 1, "routing_key", "a\"b");
    m.set("up", 1);
    m.observe("d_seconds", 0.05);
    m.observe("d_seconds", 0.5);
    m.observe("d_seconds", 5);
    m.add("undeclared_total");  // ignored
    CHECK(m.value("x_total", "routing_key", "org_unit") == 3);
    CHECK(m.value("d_seconds") == 3);
    CHECK(m.exposition() ==
          "# HELP x_total Things.\n# TYPE x_total counter\n"
          "x_total{routing_key=\"a\\\"b\"} 1\nx_total{routing_key=\"org_unit\"} 3\n"
          "# HELP up Up or not.\n# TYPE up gauge\nup 1\n"
          "# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n"
          "d_seconds_bucket{le=\"0.1\"} 1\nd_seconds_bucket{le=\"1\"} 2\nd_seconds_bucket{le=\"+Inf\"} 3\n"
          "d_seconds_sum 5.55\nd_seconds_count 3\n");
  }

  TEST_CASE("a gauge never set shows 0") {
    metrics m;
    m.declare("connected", metrics::kind::gauge, "Connected.");
    CHECK(m.exposition() == "# HELP connected Connected.\n# TYPE connected gauge\nconnected 0\n");
  }
}
