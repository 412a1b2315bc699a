// The partner simulator's synthetic registry: deterministic people, valid
// under the batch format's rules, the miss rate honoured.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "garita/daemon/batch/BatchContent.hpp"
#include "garita/sim/partner/PartnerRegistry.hpp"

using garita::sim::partner::demo_card_type_of;
using garita::sim::partner::PartnerRegistry;
using garita::sim::partner::RegistryPerson;

namespace {

std::string demo_epc(int type, std::uint64_t n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "E2C0DE%02X%016llX", type, static_cast<unsigned long long>(n));
  return buf;
}

bool same(const RegistryPerson& a, const RegistryPerson& b) {
  return a.first_name == b.first_name && a.middle_name == b.middle_name &&
         a.last_name == b.last_name && a.birth_date == b.birth_date &&
         a.nationality == b.nationality && a.gender == b.gender &&
         a.document_type == b.document_type && a.document_number == b.document_number &&
         a.document_country == b.document_country && a.exit_port == b.exit_port;
}

}  // namespace

TEST_CASE("partner registry: same seed and EPC give the same person, other EPCs others") {
  const PartnerRegistry a(2026, 0.0), b(2026, 0.0), other_seed(2027, 0.0);
  const std::string epc = demo_epc(1, 0x0123456789ABCDEF);
  const auto p1 = a.find_by_epc(epc);
  const auto p2 = b.find_by_epc(epc);
  REQUIRE(p1);
  REQUIRE(p2);
  CHECK(same(*p1, *p2));
  // Case of the hex does not change who it is.
  std::string lower = epc;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(same(*p1, *a.find_by_epc(lower)));
  // Another seed is another registry.
  CHECK_FALSE(same(*p1, *other_seed.find_by_epc(epc)));

  // 500 different cards: documents all differ, and the people are varied.
  std::set<std::string> documents, names;
  for (std::uint64_t n = 0; n < 500; ++n) {
    const auto p = a.find_by_epc(demo_epc(static_cast<int>(1 + n % 7), n * 7919));
    REQUIRE(p);
    documents.insert(p->document_type + p->document_number + p->document_country);
    names.insert(p->first_name + "|" + p->middle_name + "|" + p->last_name);
    CHECK_FALSE(same(*p, *a.find_by_epc(demo_epc(static_cast<int>(1 + n % 7), n * 7919 + 1))));
  }
  CHECK(documents.size() == 500);
  CHECK(names.size() > 400);
}

TEST_CASE("partner registry: people follow the card and pass the batch format's checks") {
  const PartnerRegistry r(7, 0.0);
  std::map<std::string, int> nationality;
  bool accented = false;
  for (std::uint64_t n = 0; n < 2000; ++n) {
    const int type = static_cast<int>(n % 8);  // 0: not a demo card
    const std::string epc = type == 0 ? "30140242200F4240000003E8" : demo_epc(type, n);
    const auto p = r.find_by_epc(epc);
    REQUIRE(p);
    ++nationality[p->nationality];
    if (type == 1) {
      CHECK(p->nationality == "MEX");
      CHECK(p->document_type == "V");
      CHECK(p->document_country == "USA");
    }
    if (type == 2) CHECK(p->nationality != "USA");
    if (type == 3) {
      CHECK(p->nationality == "USA");
      CHECK(p->document_type == "C");
    }
    accented = accented || p->last_name.find("\xC3") != std::string::npos;
    // Every field as the encoder validates it: one exit record per person.
    garita::batch::ExitRecord e;
    e.first_name = p->first_name;
    e.last_name = p->last_name;
    e.middle_name = p->middle_name;
    e.birth_date = p->birth_date;
    e.nationality = p->nationality;
    e.gender = p->gender;
    e.document_type = p->document_type;
    e.document_number = p->document_number;
    e.document_country = p->document_country;
    e.exit_port = p->exit_port;
    e.entry_date = "2026-11-19";
    e.entry_time = "22:00:00";
    e.epc_hex = epc;
    garita::batch::BatchManifest m;
    m.type = garita::batch::BatchType::return_batch;
    m.batch_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    m.period = "2026-W47";
    m.created_at_utc = 1795410000;
    m.sender_id = "CBP";
    m.sender_port = "SYS";
    m.sender_certificate_sha256 = std::string(64, 'A');
    m.recipient_subject = "CN=garita workstation signing";
    m.recipient_certificate_sha256 = std::string(64, 'B');
    std::string content, error;
    const garita::batch::ExitRecord records[] = {e};
    INFO("EPC " << epc << ": " << error);
    REQUIRE_FALSE(garita::batch::encode_return_batch(m, records, content, error));
  }
  CHECK(accented);
  // "Mostly MEX": more than half of all cards, and every other code seen is rarer.
  CHECK(nationality["MEX"] > 1000);
  CHECK(nationality["USA"] > 100);
}

TEST_CASE("partner registry: the miss rate is a fraction of cards, the same ones every time") {
  const PartnerRegistry r(11, 0.1);
  int unknown = 0;
  for (std::uint64_t n = 0; n < 5000; ++n) {
    const std::string epc = demo_epc(1, n);
    const bool missing = !r.find_by_epc(epc).has_value();
    CHECK(missing == !PartnerRegistry(11, 0.1).find_by_epc(epc).has_value());
    unknown += missing ? 1 : 0;
  }
  // Binomial(5000, 0.1): mean 500, sd 21; 6 sd either side.
  CHECK(unknown > 370);
  CHECK(unknown < 630);
  CHECK(PartnerRegistry(11, 0.0).find_by_epc(demo_epc(1, 1)).has_value());
  CHECK_FALSE(PartnerRegistry(11, 1.0).find_by_epc(demo_epc(1, 1)).has_value());
  CHECK_FALSE(PartnerRegistry(11, 1.0).knows_document("P", "G12345678", "MEX"));
  CHECK(PartnerRegistry(11, 0.0).knows_document("P", "G12345678", "MEX"));
}

TEST_CASE("partner registry: demo card type from the EPC") {
  CHECK(demo_card_type_of("E2C0DE0100000000000000AA") == 1);
  CHECK(demo_card_type_of("e2c0de0700000000000000AA") == 7);
  CHECK(demo_card_type_of("E2C0DE0800000000000000AA") == 0);
  CHECK(demo_card_type_of("30140242200F4240000003E8") == 0);
  CHECK(demo_card_type_of("E2C0") == 0);
}
