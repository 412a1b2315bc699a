#pragma once
// Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/
// exposition_formats): "# HELP", "# TYPE", then "name{label="v"} value"
// lines. Label values are escaped (\\, \", \n) as the format requires. Pure.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace garita::daemon::api {

class PrometheusText {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  // Starts a metric family (once per name, before its samples).
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, double value, Labels labels = {});
  void sample(std::string_view name, std::uint64_t value, Labels labels = {});

  const std::string& text() const noexcept { return text_; }

 private:
  void labels(Labels labels);
  std::string text_;
};

}  // namespace garita::daemon::api
