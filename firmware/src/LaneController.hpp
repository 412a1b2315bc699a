#pragma once
// garita-lane's core: the lane's reader driver -> the lane pipeline (the
// same one garitad runs) -> the local journal -> the uplink to garitad, and
// the lane light. All of it on one io_context thread.
//
// A crossing is journaled (COMMIT returned) before anything else happens to
// it: only then is it logged, lit green and offered to the uplink. When the
// journal refuses it (full, disk error) it is held in memory, in order, and
// retried every tick; nothing is dropped. stop() stops the reader, flushes
// the pipeline into the journal and closes the uplink.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "LaneControllerConfig.hpp"

namespace boost::asio {
class io_context;
}

namespace garita::firmware {

struct ControllerOptions {
  std::chrono::milliseconds tick{100};  // pipeline advance; bounds crossing latency
  std::chrono::seconds summary_every{300};
  // Written (empty) once the controller runs, removed on stop: lets tests and
  // supervisors wait for readiness without parsing logs.
  std::filesystem::path ready_file;
  std::string controller = "garita-lane";  // name and version sent in hello
};

class LaneController {
 public:
  LaneController(boost::asio::io_context& io, LaneControllerConfig config,
                 ControllerOptions options = {});
  ~LaneController();
  LaneController(const LaneController&) = delete;
  LaneController& operator=(const LaneController&) = delete;

  // Opens the journal, builds the pipeline, makes the driver, light and
  // uplink, starts them. On failure sets `error` (one line).
  std::error_code start(std::string& error);
  // `done` runs on the io thread once everything is flushed and quiet.
  void stop(std::function<void()> done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace garita::firmware
