// How the model's configuration structs check themselves. Each validate() returns the first field
// out of range as a ConfigIssue: the field's member path inside the struct (e.g. "l1d.geo.ways")
// and what is allowed. The constructor that takes the struct calls require_valid(), which throws
// InvalidConfig: a plain C++ exception, because the VMM has no SystemC, and because a module must
// not come into existence with a config it cannot run (an SC_REPORT_ERROR whose action a platform
// turned into a log line would let elaboration go on). A front end maps the field back to where
// its user wrote it (the YAML layer: file, line and key).
#pragma once
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace agilemmu {

struct ConfigIssue {
  std::string field;    // member path in the validated struct; empty: no problem
  std::string message;  // the rule, with the allowed range
  explicit operator bool() const { return !field.empty(); }
  // The same issue seen from an enclosing struct whose member `outer` holds the validated one.
  ConfigIssue within(const std::string& outer) const {
    return *this ? ConfigIssue{outer + "." + field, message} : *this;
  }
};

class InvalidConfig : public std::invalid_argument {
 public:
  InvalidConfig(const std::string& owner, ConfigIssue issue)
      : std::invalid_argument(owner + ": config field '" + issue.field + "': " + issue.message),
        issue_(std::move(issue)) {}
  const ConfigIssue& issue() const { return issue_; }

 private:
  ConfigIssue issue_;
};

// Throws InvalidConfig naming `owner` (e.g. the module's name) when `issue` is a problem.
inline void require_valid(const std::string& owner, const ConfigIssue& issue) {
  if (issue) throw InvalidConfig(owner, issue);
}

// "value V out of range [MIN, MAX]" for `field`, or no issue.
template <class T>
ConfigIssue check_range(const char* field, T v, T min, T max) {
  if (v >= min && v <= max) return {};  // false for NaN
  std::ostringstream s;
  s << "value " << v << " out of range [" << min << ", " << max << "]";
  return {field, s.str()};
}

}  // namespace agilemmu
