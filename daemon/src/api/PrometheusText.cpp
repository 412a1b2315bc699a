#include "garita/daemon/api/PrometheusText.hpp"

#include <cmath>
#include <cstdio>

namespace garita::daemon::api {

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  for (char c : help) {  // HELP escapes only '\\' and newline
    if (c == '\\') {
      text_ += "\\\\";
    } else if (c == '\n') {
      text_ += "\\n";
    } else {
      text_ += c;
    }
  }
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void PrometheusText::labels(Labels ls) {
  if (ls.size() == 0) return;
  text_ += '{';
  bool first = true;
  for (const auto& [k, v] : ls) {
    if (!first) text_ += ',';
    first = false;
    text_ += k;
    text_ += "=\"";
    for (char c : v) {
      if (c == '\\') {
        text_ += "\\\\";
      } else if (c == '"') {
        text_ += "\\\"";
      } else if (c == '\n') {
        text_ += "\\n";
      } else {
        text_ += c;
      }
    }
    text_ += '"';
  }
  text_ += '}';
}

void PrometheusText::sample(std::string_view name, double value, Labels ls) {
  text_ += name;
  labels(ls);
  char buf[40];
  if (std::isnan(value)) {
    static_cast<void>(std::snprintf(buf, sizeof buf, " NaN\n"));
  } else {
    // " %.17g\n" is at most 26 characters, so buf always holds it.
    static_cast<void>(std::snprintf(buf, sizeof buf, " %.17g\n", value));
  }
  text_ += buf;
}

void PrometheusText::sample(std::string_view name, std::uint64_t value, Labels ls) {
  text_ += name;
  labels(ls);
  text_ += ' ';
  text_ += std::to_string(value);
  text_ += '\n';
}

}  // namespace garita::daemon::api
