#include "garita/sim/partner/PartnerRegistry.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "garita/sim/Random.hpp"

namespace garita::sim::partner {
namespace {

// Made-up names, as written on the documents (UTF-8 with accents: the batch
// format carries names "as written on the document", §4).
constexpr std::array<std::string_view, 24> kMaleNames{
    "José",  "Juan",  "Luis",   "Jesús",   "Ramón",  "Andrés",    "Martín",    "Héctor",
    "Raúl",  "Iván",  "Ángel",  "Joaquín", "Carlos", "Miguel",    "Alejandro", "Fernando",
    "Rubén", "Óscar", "Adrián", "Emilio",  "Tomás",  "Sebastián", "Efraín",    "Nicolás"};
constexpr std::array<std::string_view, 24> kFemaleNames{
    "María",   "Guadalupe", "Sofía",  "Lucía",   "Mónica",   "Verónica", "Beatriz", "Inés",
    "Rocío",   "Itzel",     "Ximena", "Valeria", "Daniela",  "Araceli",  "Leticia", "Noemí",
    "Citlali", "Fátima",    "Ana",    "Elena",   "Maricruz", "Anahí",    "Begoña",  "Zoé"};
constexpr std::array<std::string_view, 32> kSurnames{
    "García",  "Hernández", "Martínez",  "López", "González",  "Pérez",   "Rodríguez", "Sánchez",
    "Ramírez", "Cruz",      "Flores",    "Gómez", "Morales",   "Vázquez", "Jiménez",   "Reyes",
    "Díaz",    "Torres",    "Gutiérrez", "Ruiz",  "Mendoza",   "Aguilar", "Ortiz",     "Castillo",
    "Núñez",   "Peña",      "Ibáñez",    "Muñoz", "Domínguez", "Chávez",  "Ordóñez",   "Zúñiga"};
constexpr std::array<std::string_view, 12> kEnglishMale{"John",   "Michael", "David",  "James",
                                                        "Robert", "William", "Kevin",  "Brian",
                                                        "Daniel", "Thomas",  "Steven", "Anthony"};
constexpr std::array<std::string_view, 12> kEnglishFemale{
    "Emily", "Sarah", "Jessica", "Ashley", "Jennifer", "Amanda",
    "Megan", "Laura", "Rachel",  "Nicole", "Hannah",   "Olivia"};
constexpr std::array<std::string_view, 12> kEnglishSurnames{
    "Smith", "Johnson", "Williams", "Brown",  "Miller", "O'Brien",
    "Davis", "Wilson",  "Anderson", "Taylor", "Moore",  "McDonald"};

// Nationalities of the non-Mexican, non-U.S. travellers (ICAO 9303 codes).
constexpr std::array<std::string_view, 6> kOtherNations{"GTM", "HND", "SLV", "CAN", "COL", "D<<"};

// U.S. land ports of exit facing Baja California, most traffic first.
constexpr std::array<std::string_view, 4> kExitPorts{"SYS", "OTM", "TEC", "CAL"};

// The demo WHTI card types (simulators/include/garita/sim/Cards.hpp).
enum : std::uint8_t {
  kBcc = 1,
  kPrc = 2,
  kPassportCard = 3,
  kSentri = 4,
  kNexus = 5,
  kFast = 6,
  kEdl = 7
};

// Independent draws from one key: draw(k, i) for field i.
struct Draws {
  std::uint64_t key;
  std::uint64_t word(std::uint64_t i) const noexcept { return hash2(key, i); }
  double unit(std::uint64_t i) const noexcept { return unit_open(word(i)); }
  std::uint64_t below(std::uint64_t i, std::uint64_t n) const noexcept { return word(i) % n; }
  template <std::size_t N>
  std::string pick(std::uint64_t i, const std::array<std::string_view, N>& list) const {
    return std::string(list[below(i, N)]);
  }
  std::string digits(std::uint64_t i, int n) const {
    std::string s;
    std::uint64_t w = word(i);
    for (int k = 0; k < n; ++k) {
      if (k == 16) w = word(i + 1000);
      s.push_back(static_cast<char>('0' + w % 10));
      w /= 10;
    }
    return s;
  }
  char letter(std::uint64_t i) const { return static_cast<char>('A' + below(i, 26)); }
};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::string birth_date(const Draws& d) {
  const int year = 1940 + static_cast<int>(d.below(20, 76));  // 1940..2015
  const int month = 1 + static_cast<int>(d.below(21, 12));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  const int day = 1 + static_cast<int>(d.below(22, static_cast<std::uint64_t>(days)));
  char buf[40];
  static_cast<void>(std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day));
  return buf;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::uint8_t demo_card_type_of(std::string_view epc_hex) noexcept {
  if (epc_hex.size() < 8) return 0;
  for (std::size_t i = 0; i < 6; ++i) {
    const char want = "E2C0DE"[i];
    const char c = epc_hex[i];
    if (c != want && c != static_cast<char>(want - 'A' + 'a')) return 0;
  }
  const int hi = hex_value(epc_hex[6]), lo = hex_value(epc_hex[7]);
  if (hi < 0 || lo < 0) return 0;
  const int type = hi * 16 + lo;
  return type >= kBcc && type <= kEdl ? static_cast<std::uint8_t>(type) : 0;
}

PartnerRegistry::PartnerRegistry(std::uint64_t seed, double miss_rate) noexcept
    : seed_(seed), miss_rate_(std::clamp(miss_rate, 0.0, 1.0)) {}

std::uint64_t PartnerRegistry::epc_key(std::string_view epc_hex) const noexcept {
  // FNV-1a over the upper-cased digits, then mixed with the seed: the key
  // does not depend on how the hex was written.
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : epc_hex) {
    const char u = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
    h = (h ^ static_cast<unsigned char>(u)) * 0x100000001B3ULL;
  }
  return hash2(seed_, h);
}

bool PartnerRegistry::is_known(std::uint64_t key) const noexcept {
  return unit_open(hash2(key, 0x4D495353ULL /* "MISS" */)) >= miss_rate_;
}

std::optional<RegistryPerson> PartnerRegistry::find_by_epc(std::string_view epc_hex) const {
  const std::uint64_t key = epc_key(epc_hex);
  if (!is_known(key)) return std::nullopt;
  return person_for(key, demo_card_type_of(epc_hex));
}

bool PartnerRegistry::knows_document(std::string_view type, std::string_view number,
                                     std::string_view country) const noexcept {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (std::string_view part : {type, number, country}) {
    for (char c : part) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    h = (h ^ 0x1F) * 0x100000001B3ULL;  // separator: ("AB","C") != ("A","BC")
  }
  return is_known(hash2(seed_, h));
}

RegistryPerson PartnerRegistry::person_for(std::uint64_t key, std::uint8_t demo_card_type) const {
  const Draws d{key};
  RegistryPerson p;

  // Nationality follows the card: a Border Crossing Card is only issued to
  // Mexican nationals, a passport card and an enhanced driver's licence only
  // to U.S. citizens, a resident card never to one; trusted-traveller cards
  // mostly to Mexicans.
  const double u = d.unit(1);
  if (demo_card_type == kBcc) {
    p.nationality = "MEX";
  } else if (demo_card_type == kPassportCard || demo_card_type == kEdl) {
    p.nationality = "USA";
  } else if (demo_card_type == kPrc) {  // a U.S. resident who is not a U.S. citizen
    p.nationality = u < 0.85 ? "MEX" : d.pick(2, kOtherNations);
  } else if (demo_card_type == kSentri || demo_card_type == kFast || demo_card_type == kNexus) {
    p.nationality = u < 0.80 ? "MEX" : (u < 0.95 ? "USA" : d.pick(2, kOtherNations));
  } else {
    p.nationality = u < 0.85 ? "MEX" : (u < 0.95 ? "USA" : d.pick(2, kOtherNations));
  }
  const bool english = p.nationality == "USA" ? d.unit(3) < 0.6 : p.nationality == "CAN";

  const double g = d.unit(4);
  p.gender = g < 0.495 ? "M" : (g < 0.99 ? "F" : "X");
  const bool male = p.gender == "M" || (p.gender == "X" && d.unit(5) < 0.5);
  if (english) {
    p.first_name = male ? d.pick(6, kEnglishMale) : d.pick(6, kEnglishFemale);
    if (d.unit(7) < 0.5) p.middle_name = male ? d.pick(8, kEnglishMale) : d.pick(8, kEnglishFemale);
    p.last_name = d.pick(9, kEnglishSurnames);
  } else {
    p.first_name = male ? d.pick(6, kMaleNames) : d.pick(6, kFemaleNames);
    if (d.unit(7) < 0.4) {
      p.middle_name = male ? d.pick(8, kMaleNames) : d.pick(8, kFemaleNames);
      if (p.middle_name == p.first_name) p.middle_name.clear();
    }
    // Two surnames, paternal then maternal, as on Mexican documents.
    p.last_name = d.pick(9, kSurnames) + " " + d.pick(10, kSurnames);
  }
  p.birth_date = birth_date(d);

  // The document the partner recorded the exit with (ICAO 9303 codes:
  // P passport; C for the TD1 cards; V for the BCC, a machine-readable visa
  // under ICAO 9303 Part 7, issued by the U.S.).
  if (demo_card_type == kBcc) {
    p.document_type = "V";
    p.document_country = "USA";
    p.document_number = d.digits(30, 9);
  } else if (demo_card_type == kPrc) {
    p.document_type = "C";
    p.document_country = "USA";
    p.document_number = std::string{d.letter(31), d.letter(32), d.letter(33)} + d.digits(30, 10);
  } else if (demo_card_type == kPassportCard) {
    p.document_type = "C";
    p.document_country = "USA";
    p.document_number = "C" + d.digits(30, 8);
  } else if (p.nationality == "MEX") {
    p.document_type = "P";
    p.document_country = "MEX";
    p.document_number = std::string{d.letter(31)} + d.digits(30, 8);
  } else if (p.nationality == "USA") {
    p.document_type = "P";
    p.document_country = "USA";
    p.document_number = d.digits(30, 9);
  } else {
    p.document_type = "P";
    p.document_country = p.nationality;
    p.document_number = std::string{d.letter(31), d.letter(32)} + d.digits(30, 7);
  }

  const double e = d.unit(40);
  p.exit_port = std::string(kExitPorts[e < 0.6 ? 0 : e < 0.9 ? 1 : e < 0.95 ? 2 : 3]);
  return p;
}

}  // namespace garita::sim::partner
