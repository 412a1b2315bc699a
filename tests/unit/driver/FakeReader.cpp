#include "FakeReader.hpp"

#include <boost/asio/ip/address.hpp>
#include <cstdlib>
#include <fstream>

#include "garita/common/Hex.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"

namespace garita::test {

using namespace hal::llrp;

OwnedMessage OwnedMessage::copy(const MessageView& view) {
  return OwnedMessage{view.header, std::vector<std::uint8_t>(view.bytes.begin(), view.bytes.end())};
}

bool OwnedMessage::is_impinj_enable_extensions() const {
  return !decode_impinj_enable_extensions(view());
}

std::vector<MessageType> types_of(const std::vector<OwnedMessage>& messages) {
  std::vector<MessageType> types;
  for (const auto& m : messages) types.push_back(m.type());
  return types;
}

std::string names_of(const std::vector<OwnedMessage>& messages) {
  std::string s;
  for (const auto& m : messages) {
    if (!s.empty()) s += ", ";
    s += to_string(m.type());
  }
  return s;
}

FakeReaderSpec FakeReaderSpec::generic(std::uint16_t antenna_count) {
  FakeReaderSpec spec;
  GeneralDeviceCapabilities general;
  general.max_antennas = antenna_count;
  general.has_utc_clock = true;
  general.manufacturer = 10642;  // not Impinj
  general.model = 7;
  general.firmware_version = "3.1.4";
  general.receive_sensitivities = {ReceiveSensitivityEntry{1, 0}};
  general.gpi_count = 2;
  general.gpo_count = 3;
  spec.capabilities.general = general;
  LlrpCapabilities llrp;
  llrp.can_report_buffer_fill_warning = true;
  llrp.max_ro_specs = 4;
  llrp.max_access_specs = 4;
  spec.capabilities.llrp = llrp;
  for (std::uint16_t id = 1; id <= antenna_count; ++id) {
    spec.antennas.push_back(AntennaProperties{id != 2, id, 600});  // antenna 2 unplugged
  }
  return spec;
}

FakeReaderSpec FakeReaderSpec::impinj(std::uint16_t antenna_count) {
  FakeReaderSpec spec = generic(antenna_count);
  spec.capabilities.general->manufacturer = kImpinjVendorId;
  spec.capabilities.general->model = 2001002;
  spec.capabilities.general->firmware_version = "7.6.0.240";
  return spec;
}

namespace {

std::vector<std::uint8_t> status_answer(MessageType type, std::uint32_t id,
                                        const LlrpStatus& status) {
  std::vector<std::uint8_t> out;
  if (encode_status_message(out, type, id, status))
    throw std::runtime_error("cannot encode status message");
  return out;
}

MessageType response_to(MessageType request) {
  switch (request) {
    case MessageType::close_connection: return MessageType::close_connection_response;
    default: return static_cast<MessageType>(static_cast<unsigned>(request) + 10);
  }
}

}  // namespace

std::vector<std::uint8_t> answer(const OwnedMessage& request, const FakeReaderSpec& spec) {
  const std::uint32_t id = request.header.message_id;
  const MessageType type = request.type();
  if (spec.error_message_for.count(type) != 0) {
    return error_message(
        id, failed_status(StatusCode::m_unsupported_message, "not supported by this fake"));
  }
  LlrpStatus status;
  if (auto it = spec.failures.find(type); it != spec.failures.end()) status = it->second;
  std::vector<std::uint8_t> out;
  std::error_code ec;
  switch (type) {
    case MessageType::get_reader_capabilities: {
      ReaderCapabilities caps = spec.capabilities;
      caps.status = status;
      ec = encode_get_reader_capabilities_response(out, id, caps);
      break;
    }
    case MessageType::custom_message:
      if (!request.is_impinj_enable_extensions())
        throw std::runtime_error("unexpected custom message");
      ec = encode_impinj_enable_extensions_response(out, id, status);
      break;
    case MessageType::get_reader_config: {
      GetReaderConfigResponse response;
      response.status = status;
      response.config.antenna_properties = spec.antennas;
      ec = encode_get_reader_config_response(out, id, response);
      break;
    }
    case MessageType::set_reader_config:
    case MessageType::close_connection:
    case MessageType::add_rospec:
    case MessageType::delete_rospec:
    case MessageType::start_rospec:
    case MessageType::stop_rospec:
    case MessageType::enable_rospec:
    case MessageType::disable_rospec:
    case MessageType::add_accessspec:
    case MessageType::delete_accessspec:
    case MessageType::enable_accessspec:
    case MessageType::disable_accessspec: return status_answer(response_to(type), id, status);
    case MessageType::enable_events_and_reports:
    case MessageType::keepalive_ack: return {};
    default:
      throw std::runtime_error("the fake reader has no answer to " + std::string(to_string(type)));
  }
  if (ec) throw std::runtime_error("cannot encode answer: " + ec.message());
  return out;
}

namespace {

std::uint64_t utc_now_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::vector<std::uint8_t> event_message(const ReaderEventNotification& event) {
  std::vector<std::uint8_t> out;
  if (auto ec = encode_reader_event_notification(out, 0, event)) {
    throw std::runtime_error("cannot encode event: " + ec.message());
  }
  return out;
}

std::vector<std::uint8_t> bytes_of(const std::string& hex) {
  std::vector<std::uint8_t> bytes;
  if (parse_hex(hex, bytes)) throw std::runtime_error("bad hex in test: " + hex);
  return bytes;
}

}  // namespace

std::vector<std::uint8_t> connection_attempt_event(ConnectionAttemptStatus status) {
  ReaderEventNotification event;
  event.timestamp = LlrpTimestamp{utc_now_us(), false};
  event.connection_attempt = status;
  return event_message(event);
}

std::vector<std::uint8_t> connection_close_event() {
  ReaderEventNotification event;
  event.timestamp = LlrpTimestamp{utc_now_us(), false};
  event.connection_close = true;
  return event_message(event);
}

std::vector<std::uint8_t> antenna_event(std::uint16_t antenna, bool connected) {
  ReaderEventNotification event;
  event.timestamp = LlrpTimestamp{utc_now_us(), false};
  event.antenna = AntennaEvent{
      connected ? AntennaEventType::connected : AntennaEventType::disconnected, antenna};
  return event_message(event);
}

std::vector<std::uint8_t> keepalive(std::uint32_t message_id) {
  std::vector<std::uint8_t> out;
  if (encode_empty_message(out, MessageType::keepalive, message_id))
    throw std::runtime_error("keepalive");
  return out;
}

std::vector<std::uint8_t> ro_access_report(const std::vector<TagReport>& tags,
                                           std::uint32_t message_id) {
  std::vector<std::uint8_t> out;
  if (auto ec = encode_ro_access_report(out, message_id, tags)) {
    throw std::runtime_error("cannot encode report: " + ec.message());
  }
  return out;
}

std::vector<std::uint8_t> error_message(std::uint32_t message_id, const LlrpStatus& status) {
  return status_answer(MessageType::error_message, message_id, status);
}

TagReport tag(const std::string& epc_hex) {
  TagReport t;
  const auto epc = bytes_of(epc_hex);
  if (!t.epc.assign(epc, static_cast<std::uint16_t>(epc.size() * 8)))
    throw std::runtime_error("EPC too long");
  return t;
}

TagReport& with_tid_read(TagReport& t, const std::string& tid_hex, std::uint16_t op_spec_id) {
  C1G2ReadOpSpecResult& r = t.read_results[t.read_result_count++];
  r.result = C1G2ReadResult::success;
  r.op_spec_id = op_spec_id;
  r.data.assign(bytes_of(tid_hex));
  return t;
}

TagReport& with_impinj_tid(TagReport& t, const std::string& tid_hex) {
  t.impinj_serialized_tid.emplace().assign(bytes_of(tid_hex));
  return t;
}

LlrpStatus failed_status(StatusCode code, std::string description) {
  LlrpStatus status;
  status.code = code;
  status.error_description = std::move(description);
  return status;
}

FakeReader::FakeReader(asio::io_context& io)
    : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

std::uint16_t FakeReader::port() const { return acceptor_.local_endpoint().port(); }

std::string FakeReader::uri(std::string_view scheme) const {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port());
}

awaitable<TcpConnection> FakeReader::accept() {
  tcp::socket socket = co_await acceptor_.async_accept(use_awaitable);
  socket.set_option(tcp::no_delay(true));
  ++accepted_;
  co_return TcpConnection(std::move(socket));
}

awaitable<std::optional<TlsConnection>> FakeReader::accept_tls(asio::ssl::context& context) {
  tcp::socket socket = co_await acceptor_.async_accept(use_awaitable);
  ++accepted_;
  asio::ssl::stream<tcp::socket> stream(std::move(socket), context);
  boost::system::error_code ec;
  co_await stream.async_handshake(asio::ssl::stream_base::server,
                                  asio::redirect_error(use_awaitable, ec));
  if (ec) co_return std::nullopt;
  co_return TlsConnection(std::move(stream));
}

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(use_awaitable);
}

bool RecordingSink::saw_state(hal::DriverState state) const {
  for (const auto& s : statuses) {
    if (s.state == state) return true;
  }
  return false;
}

TestPki::TestPki() {
  std::string pattern = (std::filesystem::temp_directory_path() / "garita-pki-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  };
  write("reader.ext",
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  write("other.ext",
        "subjectAltName=DNS:other-reader.example\nbasicConstraints=CA:FALSE\nextendedKeyUsage="
        "serverAuth\n");
  write("client.ext", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const auto ca = [&](const std::string& name) {
    run("openssl req -x509" + key + " -keyout " + path(name + ".key") + " -out " +
        path(name + ".crt") + " -days 2 -subj /CN=garita-test-" + name);
  };
  const auto leaf = [&](const std::string& name, const std::string& ext) {
    run("openssl req" + key + " -keyout " + path(name + ".key") + " -out " + path(name + ".csr") +
        " -subj /CN=" + name);
    run("openssl x509 -req -in " + path(name + ".csr") + " -CA " + path("ca.crt") + " -CAkey " +
        path("ca.key") + " -CAcreateserial -out " + path(name + ".crt") + " -days 2 -extfile " +
        path(ext));
  };
  ca("ca");
  ca("other-ca");
  leaf("reader", "reader.ext");
  leaf("other", "other.ext");
  leaf("client", "client.ext");
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void TestPki::run(const std::string& command) {
  const std::string quiet = command + " >/dev/null 2>&1";
  if (std::system(quiet.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

}  // namespace garita::test
