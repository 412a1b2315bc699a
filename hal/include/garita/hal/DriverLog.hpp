#pragma once
// The log hook drivers write to. garita has no logging library yet; the
// program that owns a driver decides where lines go (stderr, journald).
//
// Lines never hold EPCs or TIDs at info level or above: those identify a
// traveller's card and are personal data. Drivers log counts instead.
#include <cstdint>
#include <functional>
#include <string_view>

namespace garita::hal {

enum class Severity : std::uint8_t { debug, info, warning, error };

std::string_view to_string(Severity severity) noexcept;

// Called on the driver's strand; must not block and must not throw (a throw
// is caught and the line dropped). The text is only valid during the call.
using DriverLog = std::function<void(Severity, std::string_view)>;

}  // namespace garita::hal
