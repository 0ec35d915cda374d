// Runs sweep points as separate processes (SystemC cannot restart inside one process): each point
// is `agilemmu run BASE --set fixed... --set swept... --json TMP`, at most `jobs` at a time.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "sweep/results.h"
#include "sweep/spec.h"

namespace agilemmu::sweep {

// The argv of one point's run (without the program path).
std::vector<std::string> run_args(const Spec& s, const Point& p, const std::string& json_path);

// Runs the points; `done` is called in the parent, in completion order, with each finished
// record (status, exit_code, error, host_seconds, stats filled in); `tick`, if set, about 20 times a
// second while points run.
void run_points(const std::string& exe, const Spec& s, const std::vector<Point>& points, unsigned jobs,
                const std::function<void(Json&&)>& done, const std::function<void()>& tick = nullptr);

// True once SIGINT/SIGTERM arrived during run_points: the points not yet started did not run
// (running ones were stopped and reported as failed).
bool interrupted();

// The message of a failed run's stderr: its "agilemmu: ..." line (main's error format; usage text
// and SystemC chatter around it are noise in a CSV cell), else the last non-empty line.
std::string error_line(const std::string& stderr_text);

// Absolute path of the running agilemmu binary.
std::string self_exe();

}  // namespace agilemmu::sweep
