#include "garita/hal/llrp/MessageType.hpp"

namespace garita::hal::llrp {

std::string_view to_string(MessageType type) noexcept {
  switch (type) {
    case MessageType::get_reader_capabilities: return "GET_READER_CAPABILITIES";
    case MessageType::get_reader_config: return "GET_READER_CONFIG";
    case MessageType::set_reader_config: return "SET_READER_CONFIG";
    case MessageType::close_connection_response: return "CLOSE_CONNECTION_RESPONSE";
    case MessageType::get_reader_capabilities_response: return "GET_READER_CAPABILITIES_RESPONSE";
    case MessageType::get_reader_config_response: return "GET_READER_CONFIG_RESPONSE";
    case MessageType::set_reader_config_response: return "SET_READER_CONFIG_RESPONSE";
    case MessageType::close_connection: return "CLOSE_CONNECTION";
    case MessageType::add_rospec: return "ADD_ROSPEC";
    case MessageType::delete_rospec: return "DELETE_ROSPEC";
    case MessageType::start_rospec: return "START_ROSPEC";
    case MessageType::stop_rospec: return "STOP_ROSPEC";
    case MessageType::enable_rospec: return "ENABLE_ROSPEC";
    case MessageType::disable_rospec: return "DISABLE_ROSPEC";
    case MessageType::get_rospecs: return "GET_ROSPECS";
    case MessageType::add_rospec_response: return "ADD_ROSPEC_RESPONSE";
    case MessageType::delete_rospec_response: return "DELETE_ROSPEC_RESPONSE";
    case MessageType::start_rospec_response: return "START_ROSPEC_RESPONSE";
    case MessageType::stop_rospec_response: return "STOP_ROSPEC_RESPONSE";
    case MessageType::enable_rospec_response: return "ENABLE_ROSPEC_RESPONSE";
    case MessageType::disable_rospec_response: return "DISABLE_ROSPEC_RESPONSE";
    case MessageType::get_rospecs_response: return "GET_ROSPECS_RESPONSE";
    case MessageType::add_accessspec: return "ADD_ACCESSSPEC";
    case MessageType::delete_accessspec: return "DELETE_ACCESSSPEC";
    case MessageType::enable_accessspec: return "ENABLE_ACCESSSPEC";
    case MessageType::disable_accessspec: return "DISABLE_ACCESSSPEC";
    case MessageType::get_accessspecs: return "GET_ACCESSSPECS";
    case MessageType::client_request_op: return "CLIENT_REQUEST_OP";
    case MessageType::get_supported_version: return "GET_SUPPORTED_VERSION";
    case MessageType::set_protocol_version: return "SET_PROTOCOL_VERSION";
    case MessageType::add_accessspec_response: return "ADD_ACCESSSPEC_RESPONSE";
    case MessageType::delete_accessspec_response: return "DELETE_ACCESSSPEC_RESPONSE";
    case MessageType::enable_accessspec_response: return "ENABLE_ACCESSSPEC_RESPONSE";
    case MessageType::disable_accessspec_response: return "DISABLE_ACCESSSPEC_RESPONSE";
    case MessageType::get_accessspecs_response: return "GET_ACCESSSPECS_RESPONSE";
    case MessageType::client_request_op_response: return "CLIENT_REQUEST_OP_RESPONSE";
    case MessageType::get_supported_version_response: return "GET_SUPPORTED_VERSION_RESPONSE";
    case MessageType::set_protocol_version_response: return "SET_PROTOCOL_VERSION_RESPONSE";
    case MessageType::get_report: return "GET_REPORT";
    case MessageType::ro_access_report: return "RO_ACCESS_REPORT";
    case MessageType::keepalive: return "KEEPALIVE";
    case MessageType::reader_event_notification: return "READER_EVENT_NOTIFICATION";
    case MessageType::enable_events_and_reports: return "ENABLE_EVENTS_AND_REPORTS";
    case MessageType::keepalive_ack: return "KEEPALIVE_ACK";
    case MessageType::error_message: return "ERROR_MESSAGE";
    case MessageType::custom_message: return "CUSTOM_MESSAGE";
  }
  return "UNKNOWN";
}

}  // namespace garita::hal::llrp
