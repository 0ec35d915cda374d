#include "sweep/progress.h"

#include <cstdio>

namespace agilemmu::sweep {

Progress::Progress(size_t total, bool enabled, std::string what)
    : total_(total), enabled_(enabled), what_(std::move(what)), start_(std::chrono::steady_clock::now()) {
  draw();
}

void Progress::update(size_t done, size_t failed) {
  // Ticks come 20 times a second; redraw when something changed or a second passed.
  const auto now = std::chrono::steady_clock::now();
  if (done == done_ && failed == failed_ && now - last_ < std::chrono::seconds(1)) return;
  done_ = done;
  failed_ = failed;
  last_ = now;
  draw();
}

void Progress::message(const std::string& text) {
  if (enabled_ && drawn_) std::fputs("\r\033[K", stderr);
  std::fprintf(stderr, "%s\n", text.c_str());
  draw();
}

void Progress::draw() {
  if (!enabled_) return;
  constexpr size_t kWidth = 30;
  const size_t fill = total_ ? done_ * kWidth / total_ : kWidth;
  const long secs = static_cast<long>(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  std::string bar(fill, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r\033[K[%s] %zu/%zu %s", bar.c_str(), done_, total_, what_.c_str());
  if (failed_) std::fprintf(stderr, "  %zu failed", failed_);
  std::fprintf(stderr, "  %ld:%02ld", secs / 60, secs % 60);
  if (done_ > 0 && done_ < total_) {  // points so far predict the rest
    const long eta =
        static_cast<long>(static_cast<double>(secs) * static_cast<double>(total_ - done_) / static_cast<double>(done_));
    std::fprintf(stderr, "  eta %ld:%02ld", eta / 60, eta % 60);
  }
  if (status_) {
    const std::string st = status_();
    if (!st.empty()) std::fprintf(stderr, "  | %s", st.c_str());
  }
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (enabled_ && drawn_) std::fputs("\n", stderr);
  drawn_ = false;
}

}  // namespace agilemmu::sweep
