#pragma once
// The partner agency's traveller registry, synthesised: who holds a card.
// `garita-sim partner` plays the partner (U.S. CBP) of the weekly exchange
// (docs/batch-format.md, docs/simulators.md "garita-sim partner"); to answer
// an export batch it needs, for each exported RFID number, the person the
// partner's records tie to it. This registry derives one deterministically
// from (seed, EPC): same seed and EPC, same person, on every run and host;
// nothing is stored. Names are made up from small built-in lists (Spanish
// names with their accents, UTF-8, and a few English ones); documents follow
// the card type the demo EPC carries (simulators' Cards.hpp: E2 C0 DE <type>).
//
// A fraction `miss_rate` of cards is unknown to the registry (the traveller
// never left through a U.S. port, or the partner has no record): the
// partner sends nothing back for them. Pure: no I/O, no clock.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "garita/daemon/batch/BatchRecords.hpp"

namespace garita::sim::partner {

// A person as the partner's exit record carries them (docs/batch-format.md
// §4.2), every field valid under the batch format's rules.
struct RegistryPerson {
  std::string first_name, middle_name, last_name;  // UTF-8; middle may be empty
  std::string birth_date;                          // YYYY-MM-DD, 1940..2015
  std::string nationality;                         // ICAO 9303 code, mostly "MEX"
  std::string gender;                              // "M", "F" or (rarely) "X"
  std::string document_type;     // ICAO 9303 document code: P passport, C card, V visa (BCC)
  std::string document_number;   // [A-Z0-9]{1,20}
  std::string document_country;  // issuing state, ICAO 9303 code
  std::string exit_port;         // U.S. land port of exit: SYS, OTM, TEC, CAL
};

class PartnerRegistry {
 public:
  // `miss_rate` is clamped to [0, 1].
  PartnerRegistry(std::uint64_t seed, double miss_rate) noexcept;

  // The holder of the card with this EPC (upper- or lower-case hex), or
  // nullopt when the registry does not know the card.
  std::optional<RegistryPerson> find_by_epc(std::string_view epc_hex) const;

  // Whether the registry knows the traveller of an officer-entered record
  // (keyed by the document: type, number, issuing state). The partner
  // answers with the person as the record names them.
  bool knows_document(std::string_view type, std::string_view number,
                      std::string_view country) const noexcept;

  // A person from a 64-bit key (a card's or anyone's): the extras of a
  // return batch (records that belong to no exported crossing) use it.
  // `demo_card_type` is the demo EPC's type byte (1 BCC .. 7 EDL), 0 when
  // the card is not a demo WHTI card.
  RegistryPerson person_for(std::uint64_t key, std::uint8_t demo_card_type) const;

  // The 64-bit key of an EPC under this registry's seed (case-insensitive).
  std::uint64_t epc_key(std::string_view epc_hex) const noexcept;

  std::uint64_t seed() const noexcept { return seed_; }
  double miss_rate() const noexcept { return miss_rate_; }

 private:
  bool is_known(std::uint64_t key) const noexcept;
  std::uint64_t seed_;
  double miss_rate_;
};

// The demo type byte of a demo WHTI EPC ("E2C0DE03..." -> 3), 0 otherwise.
std::uint8_t demo_card_type_of(std::string_view epc_hex) noexcept;

}  // namespace garita::sim::partner
