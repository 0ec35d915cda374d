// A one-line progress bar over sweep points on stderr; silent unless enabled (a tty, not --quiet).
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace agilemmu::sweep {

class Progress {
 public:
  // `what` names the units counted: "points", or "runs" when each point runs several times.
  Progress(size_t total, bool enabled, std::string what = "points");
  void update(size_t done, size_t failed);
  // Prints a message on its own line without garbling the bar.
  void message(const std::string& text);
  void finish();
  // A second task's status drawn after the points' (the area synthesis: "synthesis 3/20 sets eta 4:10").
  void set_status(std::function<std::string()> f) { status_ = std::move(f); }
  // Redraws at most once a second (the clock and the status move without points finishing).
  void tick() { update(done_, failed_); }

 private:
  void draw();
  size_t total_, done_ = 0, failed_ = 0;
  bool enabled_, drawn_ = false;
  std::string what_;
  std::function<std::string()> status_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace agilemmu::sweep
