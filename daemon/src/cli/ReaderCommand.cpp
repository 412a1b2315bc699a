#include "garita/daemon/ReaderCommand.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <iomanip>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <unordered_set>

#include "garita/common/Hex.hpp"
#include "garita/daemon/DecodeCommand.hpp"
#include "garita/hal/DriverTable.hpp"
#include "garita/hal/ReaderUri.hpp"

namespace garita::daemon {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// A busy lane sees hundreds of cards in a check; this only bounds memory
// if the tool is left running against a tag farm.
constexpr std::size_t kMaxDistinctEpcs = 1'000'000;

// In dial mode the driver's own timeouts end a failed attempt; this only
// catches a reader that keeps configuring forever.
constexpr std::chrono::seconds kDialSetupLimit{60};

std::string fixed(double value, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << value;
  return s.str();
}

std::string antenna_list(const std::vector<hal::AntennaStatus>& antennas) {
  std::string s;
  for (const auto& a : antennas) {
    if (!s.empty()) s += ", ";
    s += std::to_string(a.id) + " " + std::string(hal::to_string(a.state));
  }
  return s.empty() ? "none reported" : s;
}

class ReaderCheck final : public hal::ReaderSink {
 public:
  ReaderCheck(const ReaderCheckOptions& options, std::ostream& out, std::ostream& err)
      : options_(options), out_(out), err_(err), signals_(io_, SIGINT, SIGTERM), timer_(io_) {}

  int run() {
    hal::ReaderUri uri;
    std::string why;
    if (hal::parse_reader_uri(options_.uri, uri, why)) {
      err_ << "garita: reader URI: " << why << "\n";
      return kExitBadInput;
    }
    if (!(options_.seconds > 0) || options_.seconds > 7 * 24 * 3600) {
      err_ << "garita: --seconds must be more than 0 (and at most a week)\n";
      return kExitBadInput;
    }
    hal::DriverOptions driver_options;
    driver_options.connect_timeout = std::chrono::seconds(5);
    driver_options.response_timeout = std::chrono::seconds(10);
    driver_options.backoff_initial = std::chrono::seconds(1);
    driver_options.backoff_max = std::chrono::seconds(5);
    driver_options.antennas = options_.antennas;
    driver_options.tls = hal::TlsFiles{options_.tls_ca, options_.tls_cert, options_.tls_key};
    if (options_.verbose) {
      driver_options.log = [this](hal::Severity severity, std::string_view line) {
        err_ << "[" << hal::to_string(severity) << "] " << line << "\n";
      };
    }
    std::error_code ec;
    driver_ = hal::make_reader_driver(uri, io_, *this, driver_options, ec, why);
    if (!driver_) {
      err_ << "garita: " << why << "\n";
      return kExitBadInput;
    }
    uri_text_ = uri.to_string();
    if (!options_.json) {
      out_ << "checking " << uri_text_ << (uri.listen ? " (waiting for the reader to connect)" : "")
           << "\n";
      out_.flush();
    }

    signals_.async_wait([this](const boost::system::error_code& signal_ec, int) {
      if (!signal_ec) finish(std::nullopt);  // Ctrl-C: stop cleanly, still print the summary
    });
    // Listen mode waits for the reader as long as the check lasts.
    const auto setup_limit = uri.listen
                                 ? check_duration()
                                 : std::chrono::duration_cast<Clock::duration>(kDialSetupLimit);
    timer_.expires_after(setup_limit);
    timer_.async_wait([this](const boost::system::error_code& timer_ec) {
      if (timer_ec || ever_running_) return;
      finish("the reader did not start within " +
             fixed(std::chrono::duration<double>(check_duration()).count(), 0) +
             " s (last state: " + std::string(hal::to_string(last_state_)) + ")");
    });
    driver_->start();
    io_.run();
    return report();
  }

  void on_tag_read(const TagRead& read) override {
    ++reads_;
    if (!ever_running_) ++held_reads_;  // reports the reader kept from before this check
    const std::string epc = to_hex(read.epc.view());
    if (distinct_.size() < kMaxDistinctEpcs) distinct_.insert(epc);
    if (options_.json) {
      boost::json::object o;
      o["event"] = "read";
      o["antenna"] = read.antenna;
      o["epc"] = epc;
      if (read.pc)
        o["pc"] = to_hex(std::array<std::uint8_t, 2>{static_cast<std::uint8_t>(*read.pc >> 8),
                                                     static_cast<std::uint8_t>(*read.pc & 0xFF)});
      if (!read.tid.empty()) o["tid"] = to_hex(read.tid.view());
      if (read.peak_rssi_cdbm) o["rssi_dbm"] = *read.peak_rssi_cdbm / 100.0;
      if (read.channel) o["channel"] = *read.channel;
      o["seen_count"] = read.seen_count;
      if (read.reader_first_seen_utc_us)
        o["reader_first_seen_utc_us"] = *read.reader_first_seen_utc_us;
      if (read.reader_first_seen_uptime_us)
        o["reader_first_seen_uptime_us"] = *read.reader_first_seen_uptime_us;
      o["host_utc_us"] = read.host_utc_us;
      emit(o);
      return;
    }
    out_ << "read  ant " << read.antenna << "  ";
    out_ << (read.peak_rssi_cdbm ? fixed(*read.peak_rssi_cdbm / 100.0, 1) + " dBm"
                                 : std::string("rssi ?"));
    out_ << "  EPC " << epc;
    if (!read.tid.empty()) out_ << "  TID " << to_hex(read.tid.view());
    out_ << "\n";
    out_.flush();
  }

  void on_status(const hal::ReaderStatus& status) override {
    last_state_ = status.state;
    if (status.identity && !identity_shown_) {
      identity_shown_ = true;
      show_identity(*status.identity);
    }
    show_antennas(status);
    if (status.state == hal::DriverState::running) running_antennas_ = status.antennas;
    if (status.error_count > errors_seen_) {
      errors_seen_ = status.error_count;
      // Before the first run an error ends the check: the technician wants
      // the reason now, not a retry loop. After it, errors are counted and
      // the driver reconnects.
      if (!ever_running_) {
        finish(status.last_error);
        return;
      }
      if (options_.json) {
        boost::json::object o;
        o["event"] = "error";
        o["message"] = status.last_error;
        emit(o);
      } else {
        err_ << "error: " << status.last_error << "\n";
      }
    }
    if (status.state == hal::DriverState::running && !ever_running_) {
      ever_running_ = true;
      running_since_ = Clock::now();
      if (options_.json) {
        boost::json::object o;
        o["event"] = "running";
        emit(o);
      } else {
        out_ << "running: reading tags for "
             << fixed(options_.seconds, options_.seconds < 10 ? 1 : 0) << " s (Ctrl-C stops)\n";
        out_.flush();
      }
      timer_.cancel();
      timer_.expires_after(check_duration());
      timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) finish(std::nullopt);
      });
    }
  }

 private:
  Clock::duration check_duration() const {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options_.seconds));
  }

  void show_identity(const hal::ReaderIdentity& id) {
    std::string tid = "TIDs by AccessSpec";
    if (id.impinj_extensions) tid = "TIDs by Impinj FastID";
    if (options_.json) {
      boost::json::object o;
      o["event"] = "reader";
      o["uri"] = uri_text_;
      o["manufacturer"] = id.manufacturer;
      o["manufacturer_name"] = id.manufacturer_name;
      o["model"] = id.model;
      o["firmware"] = id.firmware_version;
      o["antennas"] = id.antenna_count;
      o["gpis"] = id.gpi_count;
      o["gpos"] = id.gpo_count;
      o["utc_clock"] = id.has_utc_clock;
      o["tid_source"] = id.impinj_extensions ? "impinj_fastid" : "accessspec";
      emit(o);
      return;
    }
    out_ << "reader: " << id.manufacturer_name << " model " << id.model << ", firmware "
         << id.firmware_version << ", " << id.antenna_count << " antennas, " << id.gpi_count
         << " GPIs, " << id.gpo_count << " GPOs, "
         << (id.has_utc_clock ? "UTC clock" : "no UTC clock (uptime only)") << ", " << tid << "\n";
    out_.flush();
  }

  void show_antennas(const hal::ReaderStatus& status) {
    std::vector<std::pair<std::uint16_t, hal::AntennaState>> now;
    for (const auto& a : status.antennas) {
      if (a.state != hal::AntennaState::unknown) now.emplace_back(a.id, a.state);
    }
    if (now.empty() || now == antennas_shown_) return;
    antennas_shown_ = now;
    if (options_.json) {
      boost::json::array list;
      for (const auto& a : status.antennas) {
        list.push_back(boost::json::object{{"id", a.id}, {"state", hal::to_string(a.state)}});
      }
      boost::json::object o;
      o["event"] = "antennas";
      o["antennas"] = std::move(list);
      emit(o);
      return;
    }
    out_ << "antennas: " << antenna_list(status.antennas) << "\n";
    out_.flush();
  }

  // Ends the check: nullopt when it ran its course (or was interrupted),
  // else the reason it failed.
  void finish(std::optional<std::string> failure) {
    if (finishing_) return;
    finishing_ = true;
    if (failure) failure_ = std::move(failure);
    if (ever_running_) ran_for_ = Clock::now() - running_since_;
    timer_.cancel();
    signals_.cancel();
    driver_->stop([] {});  // when it completes, io_.run() runs out of work
  }

  // Module health (serial/USB readers): what a technician checks when a
  // lane reads badly (docs/readers/mercury.md explains each line).
  static boost::json::object health_json(const hal::ReaderHealth& h) {
    boost::json::object o;
    if (h.temperature_c) o["temperature_c"] = *h.temperature_c;
    o["throttled"] = h.throttled;
    o["throttle_events"] = h.throttle_events;
    o["return_loss_events"] = h.return_loss_events;
    boost::json::array loss;
    for (const auto& db : h.return_loss_db) {
      if (db) {
        loss.emplace_back(*db);
      } else {
        loss.emplace_back(nullptr);
      }
    }
    o["return_loss_db"] = std::move(loss);
    o["frames"] = h.frames;
    o["junk_bytes"] = h.junk_bytes;
    o["bad_crc"] = h.bad_crc;
    o["truncated"] = h.truncated;
    o["link"] = h.link;
    return o;
  }

  void show_health(const hal::ReaderHealth& h) {
    out_ << "  link: " << (h.link.empty() ? std::string("-") : h.link) << ", " << h.frames
         << " frames, " << h.bad_crc << " bad CRC, " << h.truncated << " truncated, "
         << h.junk_bytes << " junk bytes";
    if (h.bad_crc + h.truncated > 0 && h.bad_crc + h.truncated >= h.frames / 100)
      out_ << " (noisy link: check the cable and the baud rate)";
    out_ << "\n";
    if (h.temperature_c) {
      out_ << "  temperature: " << *h.temperature_c << " C";
      if (h.throttled) out_ << " (THROTTLED: the module is too hot and reads less)";
      out_ << "\n";
    }
    if (h.throttle_events > 0)
      out_ << "  " << h.throttle_events << " over-temperature report(s) since start\n";
    for (std::size_t i = 0; i < h.return_loss_db.size(); ++i) {
      if (!h.return_loss_db[i]) continue;
      const unsigned db = *h.return_loss_db[i];
      out_ << "  antenna " << (i + 1) << " return loss: " << db << " dB";
      if (db < 10) out_ << " (LOW: check the antenna and its cable)";
      out_ << "\n";
    }
    if (h.return_loss_events > 0)
      out_ << "  " << h.return_loss_events << " high-return-loss report(s) since start\n";
  }

  int report() {
    const hal::ReaderStatus status = driver_->status();
    const double seconds = std::chrono::duration<double>(ran_for_).count();
    // The rate counts what the reader read during the check, not what it
    // had buffered while nobody was connected and sent at once.
    const std::uint64_t live_reads = reads_ - held_reads_;
    const double rate = seconds > 0 ? static_cast<double>(live_reads) / seconds : 0.0;
    const bool ok = ever_running_ && !failure_;
    std::string clock;
    if (status.clock.kind == hal::ReaderClockKind::utc && status.clock.reader_minus_host_us) {
      double offset = static_cast<double>(*status.clock.reader_minus_host_us) / 1e6;
      if (std::fabs(offset) < 0.0005) offset = 0.0;  // no "-0.000"
      clock = "reader clock " + std::string(offset >= 0 ? "+" : "") + fixed(offset, 3) +
              " s from this host";
      if (std::fabs(offset) > 2.0) clock += " (check NTP on the reader and this host)";
    } else if (status.clock.kind == hal::ReaderClockKind::uptime_only) {
      clock = "reader has no UTC clock (uptime only)";
    }
    if (options_.json) {
      boost::json::object o;
      o["event"] = "summary";
      o["ok"] = ok;
      o["uri"] = uri_text_;
      o["reads"] = reads_;
      o["held_reads"] = held_reads_;
      o["seconds"] = seconds;
      o["reads_per_second"] = rate;
      o["distinct_epcs"] = distinct_.size();
      o["errors"] = status.error_count;
      o["reconnects"] = status.reconnect_count;
      if (status.clock.reader_minus_host_us)
        o["reader_minus_host_us"] = *status.clock.reader_minus_host_us;
      o["clock"] = hal::to_string(status.clock.kind);
      if (failure_) o["error"] = *failure_;
      if (status.health) o["health"] = health_json(*status.health);
      emit(o);
    } else if (ever_running_) {
      out_ << "summary: " << reads_ << " reads";
      if (held_reads_ > 0)
        out_ << " (" << held_reads_ << " held by the reader from before the check)";
      out_ << " in " << fixed(seconds, 1) << " s (" << fixed(rate, 1) << " reads/s), "
           << distinct_.size() << " distinct EPCs, " << status.error_count << " errors, "
           << status.reconnect_count << " reconnects";
      if (!clock.empty()) out_ << "; " << clock;
      out_ << "\n";
      // States as last seen while running (after the stop they are unknown).
      for (const auto& a : status.antennas) {
        hal::AntennaState state = a.state;
        if (a.id >= 1 && a.id <= running_antennas_.size())
          state = running_antennas_[a.id - 1u].state;
        out_ << "  antenna " << a.id << ": " << hal::to_string(state) << ", " << a.read_count
             << " reads\n";
      }
      if (reads_ == 0)
        out_ << "  no tags were read: are tags in the field and the antennas connected?\n";
      if (status.health) show_health(*status.health);
    }
    out_.flush();
    if (!ok) {
      const std::string why = failure_ ? *failure_ : std::string("the reader did not run");
      err_ << "garita: reader check failed: " << why << "\n";
      return kExitReaderFailed;
    }
    return kExitOk;
  }

  void emit(const boost::json::object& o) {
    out_ << boost::json::serialize(o) << "\n";
    out_.flush();
  }

  const ReaderCheckOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer timer_;
  std::shared_ptr<hal::ReaderDriver> driver_;
  std::string uri_text_;

  Clock::time_point running_since_{};
  Clock::duration ran_for_{};
  bool ever_running_ = false;
  bool finishing_ = false;
  bool identity_shown_ = false;
  std::optional<std::string> failure_;
  std::uint64_t errors_seen_ = 0;
  hal::DriverState last_state_ = hal::DriverState::disconnected;
  std::vector<std::pair<std::uint16_t, hal::AntennaState>> antennas_shown_;
  std::vector<hal::AntennaStatus> running_antennas_;
  std::uint64_t reads_ = 0;
  std::uint64_t held_reads_ = 0;
  std::unordered_set<std::string> distinct_;
};

}  // namespace

int run_reader_check(const ReaderCheckOptions& options, std::ostream& out, std::ostream& err) {
  ReaderCheck check(options, out, err);
  return check.run();
}

}  // namespace garita::daemon
