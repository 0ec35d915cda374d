// A one-line progress bar over sweep points on stderr; silent unless enabled (a tty, not --quiet).
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace agilemmu::sweep {

class Progress {
 public:
  Progress(size_t total, bool enabled);
  void update(size_t done, size_t failed);
  // Prints a message on its own line without garbling the bar.
  void message(const std::string& text);
  void finish();

 private:
  void draw();
  size_t total_, done_ = 0, failed_ = 0;
  bool enabled_, drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace agilemmu::sweep
