#include "garita/daemon/api/ApiCommands.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <utility>

#include "garita/daemon/DecodeCommand.hpp"
#include "garita/daemon/api/ApiClient.hpp"
#include "garita/daemon/api/RequestTarget.hpp"

namespace garita::daemon::api {
namespace {

constexpr int kExitFailed = 1;
constexpr std::size_t kMaxAllRows = 100'000;

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::move(fallback);
}

// Builds a client from the common options; prints one line and returns
// false when something is wrong with them.
bool make_client(const ApiConnectOptions& o, std::optional<ApiClient>& client, std::ostream& err) {
  ApiClientOptions co;
  std::string why;
  if (!parse_api_url(o.url, co.url, why)) {
    err << "garita: --url " << why << "\n";
    return false;
  }
  co.ca_file = o.ca_file.empty() ? env_or("GARITA_API_CA", "/etc/garita/api-ca.pem") : o.ca_file;
  std::string token_file = o.token_file;
  if (token_file.empty()) {
    const std::string home = env_or("HOME", "");
    token_file = env_or("GARITA_TOKEN_FILE", home.empty() ? "" : home + "/.config/garita/token");
  }
  if (token_file.empty()) {
    err << "garita: no --token-file (and neither GARITA_TOKEN_FILE nor HOME is set)\n";
    return false;
  }
  if (!read_token_file(token_file, co.token, why)) {
    err << "garita: " << why << "\n";
    return false;
  }
  client.emplace(co);
  return true;
}

// An API answer that is not 200: "garita: 403 forbidden: role ... may not ..."
int report_refusal(const ApiReply& r, std::ostream& err) {
  std::string code = "error";
  std::string message = r.body.substr(0, 200);
  boost::system::error_code ec;
  const auto v = boost::json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.as_object();
    if (const auto* c = o.if_contains("error"); c && c->is_string()) code = c->as_string().c_str();
    if (const auto* m = o.if_contains("message"); m && m->is_string()) {
      message = m->as_string().c_str();
    }
  }
  err << "garita: garitad answered " << r.status << " " << code << ": " << message;
  if (r.status == 429 && !r.retry_after.empty()) err << " (retry after " << r.retry_after << " s)";
  err << "\n";
  return kExitFailed;
}

std::string str(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "-";
  return boost::json::serialize(v);
}

void print_crossing_line(const boost::json::object& c, std::ostream& out) {
  char line[320];
  const int n = std::snprintf(line, sizeof line, "%-25s %-5s %-7s %-15s %5s %-13s %s\n",
                              str(c.at("first_seen_utc")).c_str(), str(c.at("lane_id")).c_str(),
                              str(c.at("sequence")).c_str(), str(c.at("document")).c_str(),
                              str(c.at("read_count")).c_str(), str(c.at("direction")).c_str(),
                              str(c.at("epc_hex")).c_str());
  if (n > 0) out.write(line, std::min<std::streamsize>(n, sizeof line - 1));
}

constexpr std::string_view kCrossingHeader =
    "first_seen_utc            lane  seq     document        reads dir           epc\n";

}  // namespace

int run_search(const SearchOptions& o, std::ostream& out, std::ostream& err) {
  if (o.limit == 0 || o.limit > 1000) {
    err << "garita: --limit must be from 1 to 1000\n";
    return kExitBadInput;
  }
  std::optional<ApiClient> client;
  if (!make_client(o.connect, client, err)) return kExitBadInput;
  std::string query = "limit=" + std::to_string(o.limit);
  const auto add = [&](const char* name, const std::optional<std::string>& v) {
    if (v) query += std::string("&") + name + "=" + percent_encode(*v);
  };
  add("epc", o.epc);
  add("lane", o.lane);
  add("document", o.document);
  add("since", o.since);
  add("until", o.until);
  if (!o.json) out << kCrossingHeader;
  std::string after;
  std::size_t printed = 0;
  for (;;) {
    ApiReply r;
    std::string error;
    const std::string target =
        "/v1/crossings?" + query + (after.empty() ? "" : "&after=" + percent_encode(after));
    if (client->get(target, r, error)) {
      err << "garita: " << error << "\n";
      return kExitFailed;
    }
    if (r.status != 200) return report_refusal(r, err);
    boost::system::error_code ec;
    const auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object()) {
      err << "garita: garitad's answer is not JSON\n";
      return kExitFailed;
    }
    const auto& page = v.as_object();
    for (const auto& row : page.at("crossings").as_array()) {
      if (o.json) {
        out << boost::json::serialize(row) << "\n";
      } else {
        print_crossing_line(row.as_object(), out);
      }
      ++printed;
    }
    const auto& next = page.at("next");
    if (next.is_null()) break;
    if (!o.all || printed >= kMaxAllRows) {
      if (!o.json) {
        err << "garita: more rows match: use --all, or narrow with --lane/--since/--until\n";
      }
      break;
    }
    after = std::string(next.as_string());
  }
  return kExitOk;
}

int run_status(const StatusOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<ApiClient> client;
  if (!make_client(o.connect, client, err)) return kExitBadInput;
  ApiReply r;
  std::string error;
  if (client->get("/v1/status", r, error)) {
    err << "garita: " << error << "\n";
    return kExitFailed;
  }
  if (r.status != 200) return report_refusal(r, err);
  if (o.json) {
    out << r.body << "\n";
    return kExitOk;
  }
  boost::system::error_code ec;
  const auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    err << "garita: garitad's answer is not JSON\n";
    return kExitFailed;
  }
  const auto& s = v.as_object();
  out << "port " << str(s.at("port_code")) << " at " << str(s.at("time_utc")) << "; host clock "
      << (s.at("host_clock_synchronized").as_bool() ? "synchronised" : "NOT synchronised") << "\n";
  out << "lanes:\n";
  for (const auto& l : s.at("lanes").as_array()) {
    const auto& o2 = l.as_object();
    char line[256];
    const int n = std::snprintf(
        line, sizeof line, "  %-6s %-12s %6.1f/min  last %s\n", str(o2.at("id")).c_str(),
        o2.at("reading").as_bool() ? "reading" : "NOT READING",
        o2.at("crossings_per_minute").to_number<double>(), str(o2.at("last_crossing_utc")).c_str());
    if (n > 0) out.write(line, std::min<std::streamsize>(n, sizeof line - 1));
  }
  out << "readers:\n";
  for (const auto& rd : s.at("readers").as_array()) {
    const auto& o2 = rd.as_object();
    char line[256];
    const int n = std::snprintf(
        line, sizeof line, "  %-6s %-12s %7.0f reads/min  clock offset %s us\n",
        str(o2.at("id")).c_str(), str(o2.at("state")).c_str(),
        o2.at("reads_per_minute").to_number<double>(), str(o2.at("clock_offset_us")).c_str());
    if (n > 0) out.write(line, std::min<std::streamsize>(n, sizeof line - 1));
  }
  const auto& alarms = s.at("alarms").as_array();
  out << "alarms: " << (alarms.empty() ? "none" : "") << "\n";
  for (const auto& a : alarms) out << "  " << str(a.at("message")) << "\n";
  return kExitOk;
}

int run_tail(const TailOptions& o, std::ostream& out, std::ostream& err) {
  if (o.seconds < 0) {
    err << "garita: --seconds must not be negative\n";
    return kExitBadInput;
  }
  std::optional<ApiClient> client;
  if (!make_client(o.connect, client, err)) return kExitBadInput;
  // "Forever" is a year: the deadline timer needs some value.
  const auto limit = std::chrono::milliseconds(
      o.seconds > 0 ? static_cast<std::int64_t>(o.seconds * 1000.0) : 365LL * 86400 * 1000);
  if (!o.json) out << kCrossingHeader << std::flush;
  std::size_t got = 0;
  ApiReply refusal;
  std::string error;
  const auto ec = client->websocket(
      "/v1/live",
      [&](const std::string& text) {
        boost::system::error_code jec;
        const auto v = boost::json::parse(text, jec);
        if (jec || !v.is_object()) return true;  // not ours to judge: skip
        const auto* c = v.as_object().if_contains("crossing");
        if (c == nullptr || !c->is_object()) return true;
        if (o.json) {
          out << boost::json::serialize(*c) << "\n" << std::flush;
        } else {
          print_crossing_line(c->as_object(), out);
          out << std::flush;
        }
        ++got;
        return o.count == 0 || got < o.count;
      },
      limit, refusal, error);
  if (ec) {
    if (refusal.status != 0) return report_refusal(refusal, err);
    err << "garita: " << error << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace garita::daemon::api
