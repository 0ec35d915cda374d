// Minimal argument scanning shared by the agilemmu subcommands.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace agilemmu::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) a_.emplace_back(argv[i]);
  }
  bool done() const { return i_ >= a_.size(); }
  const std::string& peek() const { return a_[i_]; }
  std::string next() { return a_[i_++]; }
  // Value of an option `--name VALUE` (or --name=VALUE, already split by the caller).
  std::string value(const std::string& opt) {
    if (done()) throw UsageError(opt + " needs a value");
    return next();
  }

 private:
  std::vector<std::string> a_;
  size_t i_ = 0;
};

uint64_t parse_address(const std::string& opt, const std::string& text);

// Exit codes: 0 success, 1 simulation/model error or mismatch, 2 bad usage or bad input.
constexpr int kExitOk = 0, kExitFail = 1, kExitUsage = 2;

}  // namespace agilemmu::cli
