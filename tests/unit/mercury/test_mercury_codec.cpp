// Mercury codec: CRC known answers, frames both ways, the lexer's
// re-synchronisation, and every message garita encodes or decodes, against
// byte vectors written out by hand from the protocol description.
#include <catch2/catch.hpp>

#include <vector>

#include "garita/hal/mercury/Commands.hpp"
#include "garita/hal/mercury/Crc.hpp"
#include "garita/hal/mercury/Errc.hpp"
#include "garita/hal/mercury/Frame.hpp"
#include "garita/hal/mercury/MercuryFrameLexer.hpp"
#include "garita/hal/mercury/ModuleStatus.hpp"
#include "garita/hal/mercury/Opcode.hpp"
#include "garita/hal/mercury/Region.hpp"
#include "garita/hal/mercury/Responses.hpp"
#include "garita/hal/mercury/StreamMessages.hpp"

using namespace garita::hal::mercury;
using Bytes = std::vector<std::uint8_t>;
using Lexer = MercuryFrameLexer;

namespace {

std::vector<Bytes> lex(Lexer& lexer, const Bytes& bytes, std::vector<bool>* crcs = nullptr) {
  std::vector<Bytes> frames;
  lexer.feed(bytes, [&](const Lexer::Frame& f) {
    frames.emplace_back(f.raw.begin(), f.raw.end());
    if (crcs) crcs->push_back(f.had_crc);
  });
  return frames;
}

Bytes reader_frame(std::uint8_t op, std::uint16_t status, const Bytes& data, bool crc = true) {
  Bytes out;
  REQUIRE_FALSE(encode_reader_frame(op, status, data, out, crc));
  return out;
}

ReaderFrame parse_reader(const Bytes& bytes) {
  ReaderFrame f;
  REQUIRE_FALSE(decode_reader_frame(bytes, f));
  return f;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("CRC: the ThingMagic known answer for the version command") {
  // FF 00 03 1D 0C: the bytes every Mercury module answers first.
  const Bytes covered{0x00, 0x03};
  CHECK(mercury_crc(covered) == 0x1D0C);
  CHECK(to_frame(make_version_command()) == Bytes{0xFF, 0x00, 0x03, 0x1D, 0x0C});
  // Not CRC-16/CCITT-FALSE: that algorithm gives 0xE1F0 over "00 03"... so
  // make sure the implementation is the nibble-shift form, using a second
  // vector: the SparkFun library's stop-reading command FF 03 2F 00 00 02 5E 86.
  CHECK(to_frame(make_stop_continuous_read_command()) ==
        Bytes{0xFF, 0x03, 0x2F, 0x00, 0x00, 0x02, 0x5E, 0x86});
  CHECK(mercury_crc({}) == 0xFFFF);
}

TEST_CASE("frames: encode and decode both directions") {
  Bytes host;
  REQUIRE_FALSE(encode_host_frame(0x97, Bytes{0x0D}, host));
  HostFrame h;
  REQUIRE_FALSE(decode_host_frame(host, h));
  CHECK(h.opcode == 0x97);
  CHECK(Bytes(h.data.begin(), h.data.end()) == Bytes{0x0D});

  const Bytes r = reader_frame(0x72, 0x0000, {0x1F});
  CHECK(r.size() == 8);
  auto f = parse_reader(r);
  CHECK(f.opcode == 0x72);
  CHECK(f.status == 0);
  CHECK(f.had_crc);

  Bytes bad = r;
  bad[5] ^= 0x01;
  CHECK(decode_reader_frame(bad, f) == Errc::bad_crc);
  CHECK(decode_reader_frame(Bytes{0xFF, 0x00}, f) == Errc::frame_too_short);
  CHECK(decode_reader_frame(Bytes{0xFE, 0, 3, 0, 0, 1, 2}, f) == Errc::bad_start_byte);
  CHECK(decode_reader_frame(Bytes{0xFF, 9, 3, 0, 0, 1, 2}, f) == Errc::length_mismatch);

  const Bytes no_crc = reader_frame(0x72, 0, {0x1F}, false);
  CHECK(no_crc.size() == 6);
  REQUIRE_FALSE(decode_reader_frame(no_crc, f, false));
  CHECK_FALSE(f.had_crc);

  Bytes out;
  CHECK(encode_host_frame(0x01, Bytes(256, 0), out) == Errc::data_too_long);
  CHECK(out.empty());
}

TEST_CASE("lexer: frames split across chunks and packed together") {
  Lexer lexer(Lexer::Direction::reader_responses);
  const Bytes a = reader_frame(0x03, 0, Bytes(20, 0x11));
  const Bytes b = reader_frame(0x22, 0x0400, {});
  const Bytes both = cat({a, b});
  std::vector<Bytes> got;
  for (std::uint8_t byte : both) {
    for (auto& f : lex(lexer, Bytes{byte})) got.push_back(f);
  }
  REQUIRE(got.size() == 2);
  CHECK(got[0] == a);
  CHECK(got[1] == b);
  CHECK(lexer.counters().frames == 2);
  CHECK(lexer.counters().junk_bytes == 0);
  CHECK(lex(lexer, both).size() == 2);
  CHECK(lexer.buffered_bytes() == 0);
}

TEST_CASE("lexer: re-synchronises on junk, bad CRC and truncation") {
  Lexer lexer(Lexer::Direction::reader_responses);
  const Bytes good = reader_frame(0x72, 0, {0x21});
  Bytes corrupt = reader_frame(0x67, 0, {0x0D});
  corrupt[5] ^= 0x40;

  SECTION("junk before a frame is skipped and counted") {
    auto got = lex(lexer, cat({Bytes{0x00, 0x13, 0x37}, good}));
    REQUIRE(got.size() == 1);
    CHECK(got[0] == good);
    CHECK(lexer.counters().junk_bytes == 3);
  }
  SECTION("a frame with a bad CRC is dropped, the next one kept") {
    auto got = lex(lexer, cat({corrupt, good}));
    REQUIRE(got.size() == 1);
    CHECK(got[0] == good);
    CHECK(lexer.counters().bad_crc == 1);
  }
  SECTION("a truncated frame followed by a whole one: the whole one survives") {
    // The cut frame claims 20 data bytes; its LEN swallows the good frame,
    // the CRC then fails, and the lexer rescans from the byte after its 0xFF.
    const Bytes cut{0xFF, 0x14, 0x03, 0x00, 0x00, 0x01};
    auto got = lex(lexer, cat({cut, good, good, good, good}));
    CHECK(got.size() >= 3);
    CHECK(got.back() == good);
    CHECK(lexer.counters().bad_crc >= 1);
  }
  SECTION("a frame that never completes is discarded on flush") {
    CHECK(lex(lexer, Bytes{0xFF, 0x05, 0x22, 0x00}).empty());
    CHECK(lexer.buffered_bytes() == 4);
    int frames = 0;
    lexer.flush([&](const Lexer::Frame&) { ++frames; });
    CHECK(frames == 0);
    CHECK(lexer.counters().truncated == 1);
    CHECK(lexer.buffered_bytes() == 0);
    CHECK(lex(lexer, good).size() == 1);
  }
  SECTION("memory stays bounded whatever arrives") {
    Bytes noise(10'000, 0xFF);
    lex(lexer, noise);
    CHECK(lexer.buffered_bytes() <= kMaxFrameSize);
    lexer.flush([](const Lexer::Frame&) {});
    CHECK(lex(lexer, good).size() == 1);
  }
}

TEST_CASE("lexer: responses without CRC (native USB)") {
  const Bytes a = reader_frame(0x03, 0, Bytes(20, 0x42), false);
  const Bytes b = reader_frame(0x72, 0, {0x20}, false);

  SECTION("absent mode takes LEN + 5 bytes") {
    Lexer lexer(Lexer::Direction::reader_responses, Lexer::CrcMode::absent);
    std::vector<bool> crcs;
    auto got = lex(lexer, cat({a, b}), &crcs);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == a);
    CHECK(got[1] == b);
    CHECK(crcs == std::vector<bool>{false, false});
  }
  SECTION("auto-detect latches 'absent' when the next frame starts after the body") {
    Lexer lexer(Lexer::Direction::reader_responses, Lexer::CrcMode::auto_detect);
    auto got = lex(lexer, cat({a, b}));
    REQUIRE(got.size() >= 1);
    CHECK(got[0] == a);
    CHECK(lexer.crc_mode() == Lexer::CrcMode::absent);
  }
  SECTION("auto-detect: a lone CRC-less answer comes out on flush") {
    Lexer lexer(Lexer::Direction::reader_responses, Lexer::CrcMode::auto_detect);
    CHECK(lex(lexer, b).empty());
    std::vector<Bytes> got;
    lexer.flush([&](const Lexer::Frame& f) { got.emplace_back(f.raw.begin(), f.raw.end()); });
    REQUIRE(got.size() == 1);
    CHECK(got[0] == b);
    CHECK(lexer.crc_mode() == Lexer::CrcMode::absent);
    CHECK(lexer.counters().truncated == 0);
  }
  SECTION("auto-detect latches 'required' on a valid CRC, and reset() forgets it") {
    Lexer lexer(Lexer::Direction::reader_responses, Lexer::CrcMode::auto_detect);
    CHECK(lex(lexer, reader_frame(0x72, 0, {0x20})).size() == 1);
    CHECK(lexer.crc_mode() == Lexer::CrcMode::required);
    lexer.reset();
    CHECK(lexer.crc_mode() == Lexer::CrcMode::auto_detect);
  }
}

TEST_CASE("lexer: host commands (the simulator's side)") {
  Lexer lexer(Lexer::Direction::host_commands, Lexer::CrcMode::absent);  // forced to required
  CHECK(lexer.crc_mode() == Lexer::CrcMode::required);
  const Bytes v = to_frame(make_version_command());
  const Bytes r = to_frame(make_set_region_command(Region::na2));
  std::vector<std::uint8_t> ops;
  lexer.feed(cat({Bytes{0x55}, v, r}), [&](const Lexer::Frame& f) {
    ops.push_back(f.opcode);
    CHECK(f.status == 0);
  });
  CHECK(ops == std::vector<std::uint8_t>{0x03, 0x97});
  CHECK(lexer.counters().junk_bytes == 1);
}

TEST_CASE("commands: byte layouts") {
  const Bytes region = to_frame(make_set_region_command(Region::na2));
  REQUIRE(region.size() == 6);
  CHECK(Bytes(region.begin(), region.begin() + 4) == Bytes{0xFF, 0x01, 0x97, 0x0D});
  CHECK(mercury_crc(Bytes{0x01, 0x97, 0x0D}) == ((region[4] << 8) | region[5]));
  const auto proto = make_set_tag_protocol_command(TagProtocol::gen2);
  CHECK(proto.data == Bytes{0x00, 0x05});
  const std::uint8_t ants[] = {1, 2};
  CHECK(make_set_antenna_ports_command(ants).data == Bytes{0x02, 1, 1, 2, 2});
  CHECK(make_set_read_tx_power_command(2700).data == Bytes{0x0A, 0x8C});
  CHECK(make_set_gpo_command(2, true).data == Bytes{0x02, 0x01});
  CHECK(make_get_return_loss_command().data == Bytes{0x06});

  ContinuousReadPlan plan;
  plan.tid_words = 0;
  plan.search_flags =
      search_flag::configured_list | search_flag::tag_streaming | search_flag::large_tag_population;
  plan.metadata_flags = 0x01FF;
  // The SparkFun library's start blob (captured from the Universal Reader
  // Assistant): 00 00 01 22 00 00 05 07 22 10 00 1B 03 E8 01 FF, except that
  // garita sets the outer search flags to match the inner ones.
  CHECK(make_start_continuous_read_command(plan).data == Bytes{0x00, 0x00, 0x01, 0x22, 0x00, 0x1B,
                                                               0x05, 0x07, 0x22, 0x10, 0x00, 0x1B,
                                                               0x03, 0xE8, 0x01, 0xFF});
}

TEST_CASE("commands: decoders round-trip what the encoders make") {
  HostFrame f;
  Bytes frame = to_frame(make_set_region_command(Region::eu3));
  REQUIRE_FALSE(decode_host_frame(frame, f));
  std::uint8_t region = 0;
  REQUIRE_FALSE(decode_set_region_command(f, region));
  CHECK(region == 0x08);
  std::uint16_t protocol = 0;
  CHECK(decode_set_tag_protocol_command(f, protocol) == Errc::wrong_opcode);

  const std::uint8_t ants[] = {1, 3};
  frame = to_frame(make_set_antenna_ports_command(ants));
  REQUIRE_FALSE(decode_host_frame(frame, f));
  std::vector<AntennaPortPair> ports;
  REQUIRE_FALSE(decode_set_antenna_ports_command(f, ports));
  CHECK(ports == std::vector<AntennaPortPair>{{1, 1}, {3, 3}});

  frame = to_frame(make_set_read_tx_power_command(1500));
  REQUIRE_FALSE(decode_host_frame(frame, f));
  std::uint16_t power = 0;
  REQUIRE_FALSE(decode_set_read_tx_power_command(f, power));
  CHECK(power == 1500);

  frame = to_frame(make_set_gpo_command(1, false));
  REQUIRE_FALSE(decode_host_frame(frame, f));
  std::uint8_t pin = 0;
  bool high = true;
  REQUIRE_FALSE(decode_set_gpo_command(f, pin, high));
  CHECK(pin == 1);
  CHECK_FALSE(high);

  for (std::uint8_t words : {std::uint8_t{0}, std::uint8_t{6}}) {
    ContinuousReadPlan plan;
    plan.tid_words = words;
    plan.tid_timeout_ms = words ? 50 : 0;
    frame = to_frame(make_start_continuous_read_command(plan));
    REQUIRE_FALSE(decode_host_frame(frame, f));
    MultiProtocolCommand m;
    REQUIRE_FALSE(decode_multi_protocol_command(f, m));
    CHECK_FALSE(m.stop);
    ContinuousReadPlan want = plan;
    if (words) want.search_flags |= search_flag::embedded_command;
    CHECK(m.plan == want);
  }
  frame = to_frame(make_stop_continuous_read_command());
  REQUIRE_FALSE(decode_host_frame(frame, f));
  MultiProtocolCommand m;
  REQUIRE_FALSE(decode_multi_protocol_command(f, m));
  CHECK(m.stop);

  // Malformed: one byte short of the power field.
  const Bytes short_power{0x05};
  HostFrame s{0x92, short_power};
  CHECK(decode_set_read_tx_power_command(s, power) == Errc::field_truncated);
  const Bytes bad_level{0x01, 0x07};
  HostFrame g{0x96, bad_level};
  CHECK(decode_set_gpo_command(g, pin, high) == Errc::unexpected_value);
}

TEST_CASE("responses: version, program, region, temperature, return loss") {
  VersionInfo v;
  v.bootloader = {0x12, 0x12, 0x00, 0x00};
  v.hardware = {0x30, 0x00, 0x00, 0x40};
  v.firmware_date = {0x20, 0x21, 0x03, 0x04};
  v.firmware_version = {0x01, 0x0B, 0x01, 0x02};
  v.supported_protocols = 0x00000010;
  const Bytes frame = reader_frame(0x03, 0, encode_version_data(v));
  CHECK(frame.size() == 27);
  VersionInfo back;
  REQUIRE_FALSE(decode_version_response(parse_reader(frame), back));
  CHECK(back == v);
  CHECK(model_name(v) == "M6e Nano");
  CHECK(firmware_text(v) == "01.0B.01.02 (2021-03-04)");
  v.hardware[0] = 0x42;
  CHECK(model_name(v) == "Mercury model 0x42");

  RunningProgram program{};
  REQUIRE_FALSE(
      decode_current_program_response(parse_reader(reader_frame(0x0C, 0, {0x11})), program));
  CHECK(program == RunningProgram::bootloader);
  REQUIRE_FALSE(
      decode_current_program_response(parse_reader(reader_frame(0x0C, 0, {0x12})), program));
  CHECK(program == RunningProgram::application);
  CHECK(decode_current_program_response(parse_reader(reader_frame(0x0C, 0, {0x10})), program) ==
        Errc::unexpected_value);
  CHECK(encode_current_program_data(RunningProgram::bootloader) == Bytes{0x11});
  CHECK(encode_current_program_data(RunningProgram::application) == Bytes{0x12});
  CHECK(encode_region_data(0x08) == Bytes{0x08});
  CHECK(encode_temperature_data(-10) == Bytes{0xF6});

  std::uint8_t region = 0;
  REQUIRE_FALSE(decode_region_response(parse_reader(reader_frame(0x67, 0, {0x0D})), region));
  CHECK(region == 0x0D);
  CHECK(decode_region_response(parse_reader(reader_frame(0x67, 0, {0x0D, 0})), region) ==
        Errc::trailing_bytes);

  std::int8_t t = 0;
  REQUIRE_FALSE(decode_temperature_response(parse_reader(reader_frame(0x72, 0, {0xF6})), t));
  CHECK(t == -10);

  std::vector<PortReturnLoss> loss;
  const PortReturnLoss ports[] = {{1, 18}, {2, 3}};
  REQUIRE_FALSE(decode_return_loss_response(
      parse_reader(reader_frame(0x61, 0, encode_return_loss_data(ports))), loss));
  CHECK(loss == std::vector<PortReturnLoss>{{1, 18}, {2, 3}});
}

TEST_CASE("stream: the SparkFun example tag record decodes field by field") {
  // From the SparkFun library's parseResponse() comment (a Nano reading a
  // 96-bit tag): option 10, search flags 001B, metadata 01FF, type 01,
  // count 01, RSSI C4, antenna 11, freq 0E1640, time 00000127, phase 0000,
  // protocol 05, data 0000 bits, GPIO 0F, EPC length 0080 bits, PC 3000,
  // EPC 00..1545, tag CRC 45E9.
  const Bytes data{0x10, 0x00, 0x1B, 0x01, 0xFF, 0x01, 0x01, 0xC4, 0x11, 0x0E,
                   0x16, 0x40, 0x00, 0x00, 0x01, 0x27, 0x00, 0x00, 0x05, 0x00,
                   0x00, 0x0F, 0x00, 0x80, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00,
                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x45, 0x45, 0xE9};
  const Bytes frame = reader_frame(0x22, 0, data);
  const ReaderFrame f = parse_reader(frame);
  CHECK(classify_stream_frame(f) == StreamFrameKind::tag_read);
  StreamTagRead r;
  REQUIRE_FALSE(decode_stream_tag_read(f, r));
  CHECK(r.read_count == 1);
  CHECK(r.rssi_dbm == -60);
  CHECK(r.antenna == 0x11);
  CHECK(r.antenna_number() == 1);
  CHECK(r.frequency_khz == 0x0E1640);  // 923.2 MHz
  CHECK(r.timestamp_ms == 0x127);
  CHECK(r.protocol == 5);
  CHECK(r.data.empty());
  CHECK(r.gpio == 0x0F);
  CHECK(r.pc == 0x3000);
  CHECK(Bytes(r.epc.view().begin(), r.epc.view().end()) ==
        Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x15, 0x45});
  CHECK(r.tag_crc == 0x45E9);

  Bytes again;
  REQUIRE_FALSE(encode_stream_tag_read(r, again));
  CHECK(again == data);
}

TEST_CASE("stream: tag read with an embedded TID, keep-alives, status, stats") {
  StreamTagRead r;
  r.search_flags = 0x011F;
  r.metadata_flags = metadata::garita_default;
  r.read_count = 2;
  r.rssi_dbm = -55;
  r.antenna = 0x22;
  r.frequency_khz = 915250;
  r.timestamp_ms = 5000;
  r.protocol = 5;
  const Bytes tid{0xE2, 0x80, 0x11, 0x05, 0x20, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC};
  REQUIRE(r.data.assign(tid));
  r.pc = 0x3000;
  const Bytes epc{0x30, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
  REQUIRE(r.epc.assign(epc));
  Bytes data;
  REQUIRE_FALSE(encode_stream_tag_read(r, data));
  StreamTagRead back;
  REQUIRE_FALSE(decode_stream_tag_read(parse_reader(reader_frame(0x22, 0, data)), back));
  CHECK(Bytes(back.data.view().begin(), back.data.view().end()) == tid);
  CHECK(back.epc == r.epc);
  CHECK(back.antenna_number() == 2);

  // Every truncation of the record is refused, none crashes.
  for (std::size_t n = 0; n < data.size(); ++n) {
    const Bytes cut(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    StreamTagRead x;
    CHECK(decode_stream_tag_read(parse_reader(reader_frame(0x22, 0, cut)), x));
  }

  const Bytes keep_bytes = reader_frame(0x22, 0x0400, {});
  const auto keep = parse_reader(keep_bytes);
  CHECK(classify_stream_frame(keep) == StreamFrameKind::keep_alive);
  StreamTagRead none;
  CHECK(decode_stream_tag_read(keep, none) == Errc::not_a_tag_read);
  CHECK(classify_stream_frame(parse_reader(reader_frame(0x22, 0x0504, {}))) ==
        StreamFrameKind::status);
  CHECK(classify_stream_frame(parse_reader(reader_frame(0x2F, 0, {0, 0, 1}))) ==
        StreamFrameKind::other);

  ModuleStats s;
  s.search_flags = 0x011F;
  s.metadata_flags = metadata::garita_default;
  s.temperature_c = 48;
  s.frequency_khz = 902750;
  s.antenna = 0x11;
  const Bytes stats_bytes = reader_frame(0x22, 0, encode_stats_report_data(s));
  const auto stats_frame = parse_reader(stats_bytes);
  CHECK(classify_stream_frame(stats_frame) == StreamFrameKind::stats_report);
  ModuleStats sb;
  REQUIRE_FALSE(decode_stats_report(stats_frame, sb));
  CHECK(sb == s);
  // An unknown stats field cannot be skipped safely: refused.
  const Bytes unknown{0x00, 0x01, 0x1F, 0x02, 0x00, 0x01, 0x05};
  CHECK(decode_stats_report(parse_reader(reader_frame(0x22, 0, unknown)), sb) ==
        Errc::unexpected_value);
}

TEST_CASE("module status: names and messages") {
  const std::error_code none = make_module_status_error(0);
  CHECK_FALSE(none);
  const std::error_code e = make_module_status_error(0x0400);
  CHECK(e == ModuleStatus::no_tags_found);
  CHECK(e.message() == "no tags found (module status 0x0400)");
  CHECK(std::error_code(ModuleStatus::temperature_exceed_limits).message() ==
        "module temperature exceeded its limit (module status 0x0504)");
  CHECK(module_status_name(0x0505) == "high_return_loss");
  CHECK(make_module_status_error(0x7F23).message() == "module status 0x7F23");
  CHECK(std::string(module_status_category().name()) == "mercury-status");
}

TEST_CASE("regions and opcodes: names") {
  Region r{};
  CHECK(parse_region("na2", r));
  CHECK(r == Region::na2);
  CHECK(parse_region("EU3", r));
  CHECK_FALSE(parse_region("NONE", r));
  CHECK_FALSE(parse_region("XX", r));
  CHECK(to_string(Region::open) == "OPEN");
  CHECK(is_known_region(0x0D));
  CHECK_FALSE(is_known_region(0x55));
  CHECK(to_string(Opcode::set_region) == "set_region");
  CHECK(to_string(static_cast<Opcode>(0x5A)) == "0x5A");
}
