#pragma once
// JSON views of decoded EPCs and TIDs, shared by `garita decode` and (later)
// the daemon's API, so both print the same field names (docs/epc-and-tid.md).
#include <boost/json/object.hpp>

#include "garita/common/Epc.hpp"
#include "garita/common/IssuerTable.hpp"
#include "garita/common/Tid.hpp"

namespace garita {

// Fields: hex, bits, pc/xpc details when given, scheme, tag_uri, id_uri or
// raw_uri, filter, partition, the scheme's fields, reason when raw, and
// `document` (type, issuer, rule) from the issuer-table match.
boost::json::object to_json(const DecodedEpc& epc, const DocumentMatch& document);

// Fields: hex, bits, class, class_name, xtid, security, file, mdid,
// manufacturer, tmn, model, xtid_header, serial, stid_uri, reason.
boost::json::object to_json(const DecodedTid& tid);

}  // namespace garita
