#include "LlrpTestSupport.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "garita/common/Hex.hpp"
#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/BigEndian.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/ReaderCapabilities.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/ReaderEventNotification.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"

namespace garita::hal::llrp::test {

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string capture_path(std::string_view name) {
  return std::string(GARITA_TEST_DATA) + "/llrp-captures/" + std::string(name);
}

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

struct Attribute {
  std::string name;
  std::string value;
};

// Parses `name a='v' b="w"` (the inside of a start tag).
void parse_tag(std::string_view inside, std::string& name, std::vector<Attribute>& attributes) {
  std::size_t i = 0;
  while (i < inside.size() && !std::isspace(static_cast<unsigned char>(inside[i]))) ++i;
  name = std::string(inside.substr(0, i));
  attributes.clear();
  while (i < inside.size()) {
    while (i < inside.size() && std::isspace(static_cast<unsigned char>(inside[i]))) ++i;
    const std::size_t eq = inside.find('=', i);
    if (eq == std::string_view::npos) break;
    Attribute a;
    a.name = trim(inside.substr(i, eq - i));
    const char quote = inside[eq + 1];
    const std::size_t end = inside.find(quote, eq + 2);
    a.value = std::string(inside.substr(eq + 2, end - eq - 2));
    attributes.push_back(a);
    i = end + 1;
  }
}

std::string join(const std::vector<std::string>& parts, std::size_t from) {
  std::string s;
  for (std::size_t i = from; i < parts.size(); ++i) {
    if (!s.empty()) s += '/';
    s += parts[i];
  }
  return s;
}

}  // namespace

std::vector<LtkMessage> parse_ltk_xml(std::string_view xml) {
  std::vector<LtkMessage> messages;
  std::vector<std::string> stack;  // [packetSequence, MESSAGE, Param, ..., Leaf]
  std::vector<Attribute> attributes;
  std::size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string_view::npos) {
    if (xml.compare(pos, 2, "<?") == 0 || xml.compare(pos, 2, "<!") == 0) {
      pos = xml.find('>', pos) + 1;
      continue;
    }
    const std::size_t close = xml.find('>', pos);
    if (xml[pos + 1] == '/') {
      if (!stack.empty()) stack.pop_back();
      pos = close + 1;
      continue;
    }
    const bool self_closing = xml[close - 1] == '/';
    std::string name;
    parse_tag(xml.substr(pos + 1, close - pos - 1 - (self_closing ? 1 : 0)), name, attributes);
    stack.push_back(name);
    if (stack.size() == 2) {
      LtkMessage m;
      m.name = name;
      for (const auto& a : attributes) {
        if (a.name == "MessageID") m.message_id = static_cast<std::uint32_t>(std::stoul(a.value));
      }
      messages.push_back(m);
    } else if (stack.size() > 2) {
      for (const auto& a : attributes) {
        if (a.name.rfind("xmlns", 0) != 0)
          messages.back().leaves.push_back(join(stack, 2) + "@" + a.name + "=" + a.value);
      }
      // A leaf: text then its own end tag.
      const std::size_t next = xml.find('<', close);
      if (!self_closing && xml.compare(next, 2 + name.size(), "</" + name) == 0) {
        messages.back().leaves.push_back(join(stack, 2) + "=" +
                                         trim(xml.substr(close + 1, next - close - 1)));
      }
    }
    if (self_closing) stack.pop_back();
    pos = close + 1;
  }
  for (auto& m : messages) std::sort(m.leaves.begin(), m.leaves.end());
  return messages;
}

std::string format_utc_microseconds(std::uint64_t microseconds) {
  const std::int64_t seconds = static_cast<std::int64_t>(microseconds / 1000000);
  const auto fraction = static_cast<unsigned>(microseconds % 1000000);
  std::int64_t days = seconds / 86400;
  const std::int64_t secs_of_day = seconds % 86400;
  // civil_from_days (H. Hinnant), days since 1970-01-01.
  days += 719468;
  const std::int64_t era = days / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06uZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs_of_day / 3600),
                static_cast<long long>(secs_of_day / 60 % 60),
                static_cast<long long>(secs_of_day % 60), fraction);
  return buf;
}

namespace {

std::string_view connection_status_name(ConnectionAttemptStatus s) {
  switch (s) {
    case ConnectionAttemptStatus::success: return "Success";
    case ConnectionAttemptStatus::failed_reader_initiated_connection_exists:
      return "Failed_A_Reader_Initiated_Connection_Already_Exists";
    case ConnectionAttemptStatus::failed_client_initiated_connection_exists:
      return "Failed_A_Client_Initiated_Connection_Already_Exists";
    case ConnectionAttemptStatus::failed_other_reason:
      return "Failed_Reason_Other_Than_A_Connection_Already_Exists";
    case ConnectionAttemptStatus::another_connection_attempted:
      return "Another_Connection_Attempted";
  }
  return "unknown";
}

void render_tag(const TagReport& t, std::vector<std::string>& out) {
  const std::string p = "TagReportData/";
  if (t.epc.bit_count == 96) {
    out.push_back(p + "EPC_96/EPC=" + garita::to_hex(t.epc.bytes()));
  } else {
    out.push_back(p + "EPCData/EPC@Count=" + std::to_string(t.epc.bit_count));
    out.push_back(p + "EPCData/EPC=" + garita::to_hex(t.epc.bytes()));
  }
  auto add = [&](const char* path, const auto& v) {
    if (v) out.push_back(p + path + "=" + std::to_string(*v));
  };
  add("ROSpecID/ROSpecID", t.ro_spec_id);
  add("SpecIndex/SpecIndex", t.spec_index);
  add("InventoryParameterSpecID/InventoryParameterSpecID", t.inventory_parameter_spec_id);
  add("AntennaID/AntennaID", t.antenna_id);
  if (t.peak_rssi_dbm)
    out.push_back(p + "PeakRSSI/PeakRSSI=" + std::to_string(static_cast<int>(*t.peak_rssi_dbm)));
  add("ChannelIndex/ChannelIndex", t.channel_index);
  if (t.first_seen_utc_us) {
    out.push_back(
        p + "FirstSeenTimestampUTC/Microseconds=" + format_utc_microseconds(*t.first_seen_utc_us));
  }
  add("FirstSeenTimestampUptime/Microseconds", t.first_seen_uptime_us);
  if (t.last_seen_utc_us) {
    out.push_back(
        p + "LastSeenTimestampUTC/Microseconds=" + format_utc_microseconds(*t.last_seen_utc_us));
  }
  add("LastSeenTimestampUptime/Microseconds", t.last_seen_uptime_us);
  add("TagSeenCount/TagCount", t.tag_seen_count);
  add("AccessSpecID/AccessSpecID", t.access_spec_id);
  add("C1G2_PC/PC_Bits", t.pc_bits);
  add("C1G2_CRC/CRC", t.crc);
}

}  // namespace

std::error_code render_decoded(const MessageView& message, LtkMessage& out) {
  out = LtkMessage{};
  out.name = std::string(to_string(message.header.type));
  out.message_id = message.header.message_id;
  if (message.header.type == MessageType::ro_access_report) {
    if (auto ec =
            for_each_tag_report(message, [&](const TagReport& t) { render_tag(t, out.leaves); }))
      return ec;
  } else if (message.header.type == MessageType::reader_event_notification) {
    ReaderEventNotification e;
    if (auto ec = decode_reader_event_notification(message, e)) return ec;
    const std::string p = "ReaderEventNotificationData/";
    if (e.timestamp.is_uptime) {
      out.leaves.push_back(p + "Uptime/Microseconds=" + std::to_string(e.timestamp.microseconds));
    } else {
      out.leaves.push_back(
          p + "UTCTimestamp/Microseconds=" + format_utc_microseconds(e.timestamp.microseconds));
    }
    if (e.connection_attempt) {
      out.leaves.push_back(p + "ConnectionAttemptEvent/Status=" +
                           std::string(connection_status_name(*e.connection_attempt)));
    }
    if (e.antenna) {
      out.leaves.push_back(p + "AntennaEvent/AntennaID=" + std::to_string(e.antenna->antenna_id));
    }
  }
  std::sort(out.leaves.begin(), out.leaves.end());
  return {};
}

std::error_code decode_any(const MessageView& message) {
  const MessageType type = message.header.type;
  if (is_status_message(type)) {
    LlrpStatus s;
    return decode_status_message(message, s);
  }
  if (is_empty_message(type)) return decode_empty_message(message, type);
  if (is_rospec_command(type)) {
    std::uint32_t id = 0;
    return decode_rospec_command(message, type, id);
  }
  if (is_accessspec_command(type)) {
    std::uint32_t id = 0;
    return decode_accessspec_command(message, type, id);
  }
  switch (type) {
    case MessageType::ro_access_report:
      return for_each_tag_report(message, [](const TagReport&) {});
    case MessageType::reader_event_notification: {
      ReaderEventNotification e;
      return decode_reader_event_notification(message, e);
    }
    case MessageType::add_rospec: {
      RoSpec s;
      return decode_add_rospec(message, s);
    }
    case MessageType::get_rospecs_response: {
      GetRoSpecsResponse r;
      return decode_get_rospecs_response(message, r);
    }
    case MessageType::add_accessspec: {
      AccessSpec s;
      return decode_add_accessspec(message, s);
    }
    case MessageType::get_accessspecs_response: {
      GetAccessSpecsResponse r;
      return decode_get_accessspecs_response(message, r);
    }
    case MessageType::get_reader_config: {
      GetReaderConfig r;
      return decode_get_reader_config(message, r);
    }
    case MessageType::set_reader_config: {
      SetReaderConfig r;
      return decode_set_reader_config(message, r);
    }
    case MessageType::get_reader_config_response: {
      GetReaderConfigResponse r;
      return decode_get_reader_config_response(message, r);
    }
    case MessageType::get_reader_capabilities: {
      CapabilitiesRequest r{};
      return decode_get_reader_capabilities(message, r);
    }
    case MessageType::get_reader_capabilities_response: {
      ReaderCapabilities r;
      return decode_get_reader_capabilities_response(message, r);
    }
    case MessageType::custom_message: {
      CustomMessageView c;
      if (auto ec = read_custom_message(message, c)) return ec;
      if (c.subtype == static_cast<std::uint8_t>(ImpinjMessageSubtype::enable_extensions)) {
        return decode_impinj_enable_extensions(message);
      }
      LlrpStatus s;
      return decode_impinj_enable_extensions_response(message, s);
    }
    default: return {};
  }
}

std::vector<std::uint8_t> truncated_copy(std::span<const std::uint8_t> message,
                                         std::size_t length) {
  std::vector<std::uint8_t> copy(message.begin(),
                                 message.begin() + static_cast<std::ptrdiff_t>(length));
  if (copy.size() >= kMessageHeaderSize)
    store_be32(copy.data() + 2, static_cast<std::uint32_t>(length));
  return copy;
}

}  // namespace garita::hal::llrp::test
