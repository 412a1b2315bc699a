#include "garita/common/DecodeJson.hpp"

#include <boost/json/array.hpp>

namespace garita {
namespace {

// Upper-case hex of the low `digits` nibbles of `v`, zero-padded.
std::string hex_n(unsigned v, int digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = kDigits[v & 0xF];
  return s;
}

std::string hex_word(std::uint16_t w) { return hex_n(w, 4); }

}  // namespace

boost::json::object to_json(const DecodedEpc& epc, const DocumentMatch& document) {
  boost::json::object o;
  o["hex"] = epc.hex;
  o["bits"] = epc.bits;
  if (epc.pc) {
    const PcWord& pc = *epc.pc;
    boost::json::object p;
    p["hex"] = hex_word(pc.raw);
    p["length_words"] = pc.length_words();
    p["umi"] = pc.umi();
    p["xi"] = pc.xi();
    p["toggle"] = pc.toggle();
    // Gen2 §6.3.2.1.2.2: the low byte is an AFI under toggle=1, attribute bits otherwise.
    p[pc.toggle() ? "afi" : "attribute_bits"] = hex_n(pc.low_byte(), 2);
    o["pc"] = std::move(p);
  }
  if (!epc.xpc.empty()) {
    boost::json::array x;
    for (std::uint16_t w : epc.xpc) x.emplace_back(hex_word(w));
    o["xpc"] = std::move(x);
  }
  o["scheme"] = to_string(epc.scheme);
  o["tag_uri"] = epc.tag_uri;
  if (epc.decoded()) o["id_uri"] = epc.id_uri;
  o["raw_uri"] = epc.raw_uri;
  if (epc.filter) o["filter"] = *epc.filter;
  if (epc.partition) o["partition"] = *epc.partition;
  for (const EpcField& f : epc.fields) o[f.name] = f.value;
  if (!epc.decoded()) {
    o["reason"] = to_string(epc.reason);
    o["reason_text"] = epc.reason_text;
  }
  boost::json::object d;
  d["type"] = to_string(document.document);
  if (document.rule != nullptr) {
    d["issuer"] = document.rule->issuer;
    d["rule"] = document.rule->name;
    d["rule_source"] = document.rule->source;
  } else {
    d["issuer"] = nullptr;
    d["rule"] = nullptr;
  }
  o["document"] = std::move(d);
  return o;
}

boost::json::object to_json(const DecodedTid& tid) {
  boost::json::object o;
  o["hex"] = tid.hex;
  o["bits"] = tid.bits;
  if (tid.bits >= 8) {
    o["class"] = hex_n(tid.class_id, 2);
    o["class_name"] = tid.class_name;
  }
  if (tid.decoded()) {
    o["xtid"] = tid.xtid;
    o["security"] = tid.security;
    o["file"] = tid.file;
    o["mdid"] = hex_n(tid.mdid, 3);
    o["manufacturer"] = tid.manufacturer.empty() ? boost::json::value(nullptr)
                                                 : boost::json::value(tid.manufacturer);
    o["tmn"] = hex_n(tid.tmn, 3);
    o["model"] = tid.model.empty() ? boost::json::value(nullptr) : boost::json::value(tid.model);
  }
  if (tid.xtid_header) {
    const XtidHeader& h = *tid.xtid_header;
    boost::json::object x;
    x["hex"] = hex_word(h.raw);
    x["extended_header"] = h.extended_header;
    x["lock_bit_segment"] = h.lock_bit_segment;
    x["user_memory_segment"] = h.user_memory_segment;
    x["block_write_segment"] = h.block_write_segment;
    x["optional_command_segment"] = h.optional_command_segment;
    x["serial_bits"] = h.serial_bits;
    o["xtid_header"] = std::move(x);
  }
  o["serial"] = tid.serial.empty() ? boost::json::value(nullptr) : boost::json::value(tid.serial);
  o["stid_uri"] =
      tid.stid_uri.empty() ? boost::json::value(nullptr) : boost::json::value(tid.stid_uri);
  if (tid.reason != TidRawReason::none) {
    o["reason"] = to_string(tid.reason);
    o["reason_text"] = tid.reason_text;
  }
  return o;
}

}  // namespace garita
