#pragma once
// The records of the weekly exchange with the partner agency, limited to the
// fields the privacy assessment lists (DHS/CBP PIA "Principle of Data
// Minimization"): the export carries nothing else about a traveller, and a
// return record nothing else than what the partner is allowed to send back.
// Formats and limits: docs/batch-format.md §4.
#include <cstdint>
#include <string>
#include <variant>

namespace garita::batch {

// When a traveller entered, at the port. `utc_seconds` is the instant;
// `utc_offset_minutes` is the port's offset from UTC at that instant (e.g.
// -480 for America/Tijuana in winter). The caller computes the offset from
// the port's IANA zone (GCC 12's libstdc++ has no std::chrono tzdb), so this
// library stays pure; the local date and time written are utc + offset.
struct EntryTime {
  std::int64_t utc_seconds = 0;
  std::int32_t utc_offset_minutes = 0;  // -840 .. +840
};

// A crossing of an RFID lane (source "INM-RFID").
struct RfidEntryRecord {
  std::string epc_hex;  // EPC bank contents, upper-case hex, 2..62 bytes
  std::string tid_hex;  // TID, upper-case hex 4..64 bytes, or empty when no reader gave one
  EntryTime entry;
  std::string port;  // port-of-entry code, [A-Z0-9]{1,16}
  std::string lane;  // lane id, [A-Za-z0-9_-]{1,16}
};

// An entry an officer typed in (phase two; source "INM-OFFICER").
struct OfficerEntryRecord {
  std::string last_name, first_name, middle_name;  // UTF-8; middle may be empty
  std::string birth_date;                          // YYYY-MM-DD
  std::string nationality;                         // ICAO 9303 three-letter code
  std::string gender;                              // "M", "F" or "X"
  std::string document_type;                       // ICAO 9303 document code, 1..2 letters
  std::string document_number;                     // [A-Z0-9]{1,20}
  std::string document_country;                    // ICAO 9303 three-letter code
  EntryTime entry;
  std::string port;
};

using ExportRecord = std::variant<RfidEntryRecord, OfficerEntryRecord>;

// A U.S. exit record the partner returns (source "CBP").
struct ExitRecord {
  std::string first_name, last_name, middle_name;
  std::string birth_date;
  std::string nationality;
  std::string gender;
  std::string document_type;
  std::string document_number;
  std::string document_country;
  std::string exit_port;   // U.S. land port of exit code, [A-Z0-9]{1,8}
  std::string entry_date;  // entry into Mexico, port local date YYYY-MM-DD
  std::string entry_time;  // port local time hh:mm:ss
  std::string epc_hex;     // the RFID number the partner matched (may be empty)
};

}  // namespace garita::batch
