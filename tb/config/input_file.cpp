#include "config/input_file.h"

#include <sys/stat.h>

namespace agilemmu::config {

std::string special_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  if (S_ISDIR(st.st_mode)) return "directory";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "device";
  return "";
}

}  // namespace agilemmu::config
