// Input files (configs, traces) are files or pipes.
#pragma once
#include <string>

namespace agilemmu::config {

// "directory" or "device" when `path` names one: nothing to read a config or a trace from (a
// directory reads as empty, /dev/zero never ends). "" otherwise, also when it does not exist.
std::string special_file(const std::string& path);

}  // namespace agilemmu::config
