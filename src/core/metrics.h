#pragma once
// Counters and gauges rendered as Prometheus text. Labels are fixed identifiers chosen by the
// code (operation names, statuses), never values from a request and never a secret.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace liaison {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  void increment(const std::string& name, const MetricLabels& labels = {}, int64_t by = 1);
  // Gauges are read when rendered: the callback reports the current value of every series.
  using GaugeReader = std::function<std::vector<std::pair<MetricLabels, int64_t>>()>;
  void gauge(const std::string& name, const std::string& help, GaugeReader reader);
  void describe(const std::string& name, const std::string& help);
  int64_t value(const std::string& name, const MetricLabels& labels = {}) const;
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<MetricLabels, int64_t>> counters_;
  std::map<std::string, std::string> help_;
  std::map<std::string, GaugeReader> gauges_;
};

}  // namespace liaison
