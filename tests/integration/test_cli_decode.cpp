// `garita decode` as a technician runs it: exit codes, one JSON object on
// stdout, one line on stderr for bad input.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ProcessRunner.hpp"

using garita::test::run_process;
namespace json = boost::json;

namespace {

garita::test::ProcessResult garita_cli(std::vector<std::string> args) {
  args.insert(args.begin(), GARITA_CLI);
  auto r = run_process(args, std::chrono::seconds(20));
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.signal == 0);
  return r;
}

json::object parse_one_object(const std::string& out) {
  REQUIRE_FALSE(out.empty());
  CHECK(out.back() == '\n');
  CHECK(out.find('\n') == out.size() - 1);  // exactly one line
  return json::parse(out).as_object();
}

void check_one_line_error(const garita::test::ProcessResult& r, std::string_view needle) {
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  INFO("stderr: " << r.err);
  CHECK(r.err.find(needle) != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);
}

}  // namespace

TEST_CASE("decode epc prints the TDS URIs") {
  auto r = garita_cli({"decode", "epc", "3074257BF7194E4000001A85", "--issuers", "/dev/null"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  const auto o = parse_one_object(r.out);
  CHECK(o.at("tag_uri").as_string() == "urn:epc:tag:sgtin-96:3.0614141.812345.6789");
  CHECK(o.at("id_uri").as_string() == "urn:epc:id:sgtin:0614141.812345.6789");
  CHECK(o.at("document").at("type").as_string() == "UNKNOWN");
}

TEST_CASE("decode epc with a PC word uses its length and reports its bits") {
  // PC 0x3000 = 6 words; the reader returned two extra bytes of EPC memory.
  auto r = garita_cli(
      {"decode", "epc", "3154257BF4499602D20000000000", "--pc", "3000", "--issuers", "/dev/null"});
  CHECK(r.exit_code == 0);
  const auto o = parse_one_object(r.out);
  CHECK(o.at("bits").to_number<int>() == 96);
  CHECK(o.at("tag_uri").as_string() == "urn:epc:tag:sscc-96:2.0614141.1234567890");
  CHECK(o.at("pc").at("length_words").to_number<int>() == 6);
}

TEST_CASE("decode epc of an unknown header is a raw decode, exit 0") {
  auto r = garita_cli({"decode", "epc", "E20000000000000000000001", "--issuers", "/dev/null"});
  CHECK(r.exit_code == 0);
  const auto o = parse_one_object(r.out);
  CHECK(o.at("scheme").as_string() == "raw");
  CHECK(o.at("raw_uri").as_string() == "urn:epc:raw:96.xE20000000000000000000001");
  CHECK(o.at("reason").as_string() == "unknown_header");
}

TEST_CASE("decode epc gives the document type from the issuer table") {
  // config/issuers.example.toml ships DEMO rows for the simulator's made-up
  // prefix E2 C0 DE + document byte; 01 is a border crossing card.
  auto r = garita_cli({"decode", "epc", "E2C0DE0100000000000A1B2C", "--pc", "3000", "--issuers",
                       GARITA_EXAMPLE_ISSUERS});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  const auto o = parse_one_object(r.out);
  CHECK(o.at("scheme").as_string() == "raw");  // never rejected for not being GS1
  CHECK(o.at("document").at("type").as_string() == "BCC");
  CHECK(o.at("document").at("rule").as_string() == "DEMO border crossing card (simulator)");
  // The SENTRI rows show a TID-narrowed rule winning only with the right chip.
  r = garita_cli({"decode", "epc", "E2C0DE0400000000000A1B2C", "--tid", "E2801160200074CF085909AD",
                  "--issuers", GARITA_EXAMPLE_ISSUERS});
  CHECK(parse_one_object(r.out).at("document").at("rule").as_string() ==
        "DEMO SENTRI card on an Impinj Monza R6 chip (simulator)");
  r = garita_cli(
      {"decode", "epc", "E2C0DE0400000000000A1B2C", "--issuers", GARITA_EXAMPLE_ISSUERS});
  CHECK(parse_one_object(r.out).at("document").at("rule").as_string() ==
        "DEMO SENTRI card, any chip (simulator)");
}

TEST_CASE("decode epc with --tid embeds the decoded TID") {
  auto r = garita_cli({"decode", "epc", "3074257BF7194E4000001A85", "--tid",
                       "E2801160200074CF085909AD", "--issuers", "/dev/null"});
  CHECK(r.exit_code == 0);
  const auto o = parse_one_object(r.out);
  CHECK(o.at("tid").at("model").as_string() == "Monza R6");
}

TEST_CASE("decode tid prints maker, model and serial") {
  auto r = garita_cli({"decode", "tid", "E2806894200040017790AC71"});
  CHECK(r.exit_code == 0);
  const auto o = parse_one_object(r.out);
  CHECK(o.at("manufacturer").as_string() == "NXP Semiconductors");
  CHECK(o.at("model").as_string() == "UCODE 8");
  CHECK(o.at("serial").as_string() == "40017790AC71");
}

TEST_CASE("bad input exits 2 with one line naming the problem") {
  check_one_line_error(garita_cli({"decode", "epc", "30G4"}), "not a hex digit");
  check_one_line_error(garita_cli({"decode", "epc", "307"}), "odd number of hex digits");
  check_one_line_error(garita_cli({"decode", "epc", "307425"}), "whole 16-bit words");
  check_one_line_error(garita_cli({"decode", "epc", std::string(130, '0')}),
                       "longer than 62 bytes");
  check_one_line_error(garita_cli({"decode", "epc", "3074", "--pc", "30"}), "exactly 4 hex digits");
  check_one_line_error(garita_cli({"decode", "epc", "3074", "--xpc", "0001"}), "--xpc needs --pc");
  check_one_line_error(garita_cli({"decode", "epc", "3074", "--pc", "0800", "--xpc", "0001"}),
                       "XI bit");
  check_one_line_error(garita_cli({"decode", "tid", "E28"}), "odd number of hex digits");
  check_one_line_error(garita_cli({"decode", "tid", ""}), "no hex digits");
  check_one_line_error(garita_cli({"decode", "epc", "3074", "--issuers", "/nonexistent/x.toml"}),
                       "issuer table");
  check_one_line_error(garita_cli({"decode", "bogus"}), "try --help");
  check_one_line_error(garita_cli({"decode", "epc"}), "try --help");
}

TEST_CASE("a broken issuer table names the file and line") {
  const auto path = std::filesystem::temp_directory_path() / "garita-test-bad-issuers.toml";
  {
    std::ofstream f(path);
    f << "[[issuer]]\nname = \"x\"\nissuer = \"y\"\ndocument = \"PASPORT_CARD\"\nprefix = \"E2\"\n";
  }
  auto r = garita_cli({"decode", "epc", "3074", "--issuers", path.string()});
  std::filesystem::remove(path);
  check_one_line_error(r, "garita-test-bad-issuers.toml:4");
  CHECK(r.err.find("PASPORT_CARD") != std::string::npos);
}

TEST_CASE("--help works on every command") {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                {"decode", "--help"},
                                                                {"decode", "epc", "--help"},
                                                                {"decode", "tid", "--help"}}) {
    auto r = garita_cli(args);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
}
