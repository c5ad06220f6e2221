#include "core/metrics.h"

namespace liaison {

namespace {

std::string escapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string series(const std::string& name, const MetricLabels& labels) {
  if (labels.empty()) return name;
  std::string out = name + "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    out += (i ? "," : "") + labels[i].first + "=\"" + escapeLabel(labels[i].second) + "\"";
  }
  return out + "}";
}

}  // namespace

void Metrics::increment(const std::string& name, const MetricLabels& labels, int64_t by) {
  std::lock_guard lock(mutex_);
  counters_[name][labels] += by;
}

void Metrics::gauge(const std::string& name, const std::string& help, GaugeReader reader) {
  std::lock_guard lock(mutex_);
  help_[name] = help;
  gauges_[name] = std::move(reader);
}

void Metrics::describe(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  help_[name] = help;
  counters_[name];
}

int64_t Metrics::value(const std::string& name, const MetricLabels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  if (it == counters_.end()) return 0;
  auto v = it->second.find(labels);
  return v == it->second.end() ? 0 : v->second;
}

std::string Metrics::render() const {
  std::map<std::string, GaugeReader> gauges;
  std::string out;
  {
    std::lock_guard lock(mutex_);
    gauges = gauges_;
    for (const auto& [name, values] : counters_) {
      if (auto h = help_.find(name); h != help_.end()) out += "# HELP " + name + " " + h->second + "\n";
      out += "# TYPE " + name + " counter\n";
      for (const auto& [labels, v] : values) out += series(name, labels) + " " + std::to_string(v) + "\n";
    }
  }
  // Gauge readers may query the store: called outside the lock.
  for (const auto& [name, reader] : gauges) {
    {
      std::lock_guard lock(mutex_);
      if (auto h = help_.find(name); h != help_.end()) out += "# HELP " + name + " " + h->second + "\n";
    }
    out += "# TYPE " + name + " gauge\n";
    for (const auto& [labels, v] : reader()) out += series(name, labels) + " " + std::to_string(v) + "\n";
  }
  return out;
}

}  // namespace liaison
