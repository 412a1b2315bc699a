#pragma once
// Fixed batches for the tests (made-up people and cards).
#include "garita/daemon/batch/BatchContent.hpp"

namespace garita::batch::test {

inline BatchManifest sample_manifest(BatchType type) {
  BatchManifest m;
  m.type = type;
  m.batch_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  m.period = "2026-W47";
  m.created_at_utc = 1795410000;  // 2026-11-23T05:00:00Z
  m.sender_id = "TIJ-WS1";
  m.sender_port = "TIJ";
  m.sender_certificate_sha256 = std::string(64, 'A');
  m.recipient_subject = "CN=garita partner";
  m.recipient_certificate_sha256 = std::string(64, 'B');
  return m;
}

inline RfidEntryRecord sample_rfid() {
  RfidEntryRecord r;
  r.epc_hex = "E2801160600002084F3E1A2B";
  r.tid_hex = "E2801160200074CF085909AD";
  r.entry = {1795154400, -480};  // 2026-11-20T06:00:00Z = 2026-11-19 22:00:00 at -08:00
  r.port = "TIJ";
  r.lane = "P01";
  return r;
}

inline OfficerEntryRecord sample_officer() {
  OfficerEntryRecord r;
  r.last_name = "Núñez";
  r.first_name = "María José";
  r.middle_name = "";
  r.birth_date = "1984-02-29";
  r.nationality = "USA";
  r.gender = "F";
  r.document_type = "P";
  r.document_number = "X1234567";
  r.document_country = "USA";
  r.entry = {1795161600, -480};  // 2026-11-20T08:00:00Z
  r.port = "TIJ";
  return r;
}

inline ExitRecord sample_exit() {
  ExitRecord r;
  r.first_name = "John";
  r.last_name = "O\"Hara";
  r.middle_name = "Q";
  r.birth_date = "1970-12-31";
  r.nationality = "USA";
  r.gender = "M";
  r.document_type = "C";
  r.document_number = "C03005988";
  r.document_country = "USA";
  r.exit_port = "2504";
  r.entry_date = "2026-11-19";
  r.entry_time = "22:00:00";
  r.epc_hex = "E2801160600002084F3E1A2B";
  return r;
}

}  // namespace garita::batch::test
