// Schema-checked YAML reading. Files are loaded into a Value tree that remembers, for every
// entry, the file and line it came from, so a typo is reported as FILE:LINE: key 'a.b': problem.
// Files may `include:` a base file (its keys are overridden), and `--set a.b=v` overrides
// (reported as coming from "--set").
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace agilemmu::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Value {
  enum class Kind { Null, Scalar, Map, Seq } kind = Kind::Null;
  std::string scalar;
  std::map<std::string, Value> map;
  std::vector<std::string> order;  // map keys in file order (for deterministic iteration)
  std::vector<Value> seq;
  std::string file;
  int line = 0;  // 1-based; 0 when unknown

  std::string where() const;  // "FILE:LINE" or "--set"
};

// Size limits (configs/README.md): a config file is at most 1 MiB and holds at most 100 000 values
// (scalars, lists and maps) once YAML aliases are expanded; a --set value too.
constexpr size_t kMaxFileBytes = size_t(1) << 20;
constexpr size_t kMaxValues = 100000;

// Loads a YAML file (following `include:` chains) into a Value map.
Value load_file(const std::string& path);
Value load_string(const std::string& text, const std::string& name);
// Overrides `into` with `over` (maps merge key by key; scalars and lists replace).
void merge(Value& into, const Value& over);
// Applies "a.b.c=value" (list elements by index: "regions.1.size=2M").
void apply_set(Value& root, const std::string& assignment);

// A map being read against a schema: every getter marks its key as known; finish() rejects the
// rest. Getters throw ConfigError naming file, line and the full dotted key.
class Section {
 public:
  Section(const Value* v, std::string path, std::string file_hint);

  bool has(const std::string& key) const;
  uint64_t u64(const std::string& key, uint64_t def, uint64_t min = 0, uint64_t max = UINT64_MAX);
  int64_t i64(const std::string& key, int64_t def, int64_t min, int64_t max);
  double real(const std::string& key, double def, double min, double max);
  bool boolean(const std::string& key, bool def);
  std::string str(const std::string& key, const std::string& def);
  // A file name: relative names are taken relative to the config file that set them (or the
  // current directory for --set), as `include:` is.
  std::string path_value(const std::string& key, const std::string& def);
  std::string choice(const std::string& key, const std::string& def, const std::vector<std::string>& allowed);
  Section sub(const std::string& key);
  std::vector<Section> list(const std::string& key);
  // Reads a list of scalars.
  std::vector<std::string> strings(const std::string& key);
  void ignore(const std::string& key) { used_.insert(key); }
  // Throws on any key that no getter asked for.
  void finish() const;

  [[noreturn]] void fail(const std::string& key, const std::string& msg) const;
  std::string path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  const Value* get(const std::string& key);
  const Value* v_;
  std::string path_, file_hint_;
  std::set<std::string> used_;
};

// Parses 4096, 0x1000, 4K, 2M, 1G, 1T (binary multiples). False on anything else.
bool parse_u64(const std::string& s, uint64_t& out);

}  // namespace agilemmu::config
