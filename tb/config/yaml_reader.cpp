#include "config/yaml_reader.h"

#include "config/input_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace agilemmu::config {

std::string Value::where() const {
  if (file.empty()) return "<config>";
  if (line <= 0) return file;
  return file + ":" + std::to_string(line);
}

namespace {

// Built Values, against kMaxValues. yaml-cpp shares an aliased node; converting copies it, so
// without a bound nine aliases of nine aliases... ("billion laughs") grow a 1 KB file to gigabytes.
struct Budget {
  size_t left = kMaxValues;
  void take(const std::string& file, const YAML::Node& n) {
    if (left == 0)
      throw ConfigError(file + ":" + std::to_string(n.Mark().line + 1) + ": more than " + std::to_string(kMaxValues) +
                        " values once YAML aliases are expanded (the limit of a config)");
    --left;
  }
};

Value convert(const YAML::Node& n, const std::string& file, Budget& budget) {
  budget.take(file, n);
  Value v;
  v.file = file;
  v.line = n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      v.kind = Value::Kind::Null;
      break;
    case YAML::NodeType::Scalar:
      v.kind = Value::Kind::Scalar;
      v.scalar = n.Scalar();
      break;
    case YAML::NodeType::Sequence:
      v.kind = Value::Kind::Seq;
      for (const auto& e : n) v.seq.push_back(convert(e, file, budget));
      break;
    case YAML::NodeType::Map:
      v.kind = Value::Kind::Map;
      for (const auto& kv : n) {
        const std::string key = kv.first.Scalar();
        if (v.map.count(key))
          throw ConfigError(file + ":" + std::to_string(kv.first.Mark().line + 1) + ": key '" + key +
                            "' appears twice");
        Value child = convert(kv.second, file, budget);
        child.line = kv.first.Mark().line + 1;  // errors point at the key's line
        v.map[key] = std::move(child);
        v.order.push_back(key);
      }
      break;
  }
  return v;
}

Value parse(const std::string& text, const std::string& name) {
  YAML::Node n;
  try {
    n = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
  }
  Budget budget;
  Value v = convert(n, name, budget);
  if (v.kind == Value::Kind::Null) {
    v.kind = Value::Kind::Map;
    v.line = 1;
  }
  if (v.kind != Value::Kind::Map) throw ConfigError(name + ":1: the config must be a YAML map of keys");
  return v;
}

std::string dir_of(const std::string& path) {
  const auto p = path.find_last_of('/');
  return p == std::string::npos ? "" : path.substr(0, p + 1);
}

// A config file's text, at most kMaxFileBytes of it (pipes are read up to the limit).
std::string read_config_file(const std::string& path) {
  const std::string special = special_file(path);
  if (!special.empty()) throw ConfigError(path + ": is a " + special + ", not a config file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes)
      throw ConfigError(path + ": larger than " + std::to_string(kMaxFileBytes >> 20) +
                        " MiB (the limit of a config file)");
  }
  if (in.bad()) throw ConfigError(path + ": read failed");
  return text;
}

Value load_file_depth(const std::string& path, int depth) {
  if (depth > 8) throw ConfigError(path + ": include chain deeper than 8 files (a cycle?)");
  Value v = parse(read_config_file(path), path);
  auto inc = v.map.find("include");
  if (inc == v.map.end()) return v;
  if (inc->second.kind != Value::Kind::Scalar)
    throw ConfigError(inc->second.where() + ": key 'include': expected a file name");
  std::string base = inc->second.scalar;
  if (!base.empty() && base[0] != '/') base = dir_of(path) + base;
  Value root = load_file_depth(base, depth + 1);
  v.map.erase(inc);
  v.order.erase(std::find(v.order.begin(), v.order.end(), "include"));
  merge(root, v);
  return root;
}

}  // namespace

Value load_file(const std::string& path) { return load_file_depth(path, 0); }
Value load_string(const std::string& text, const std::string& name) { return parse(text, name); }

void merge(Value& into, const Value& over) {
  if (into.kind != Value::Kind::Map || over.kind != Value::Kind::Map) {
    into = over;
    return;
  }
  for (const auto& key : over.order) {
    auto it = into.map.find(key);
    if (it == into.map.end()) {
      into.map[key] = over.map.at(key);
      into.order.push_back(key);
    } else {
      merge(it->second, over.map.at(key));
    }
  }
}

void apply_set(Value& root, const std::string& a) {
  const auto eq = a.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set " + a + ": expected KEY=VALUE, e.g. mmu.mode=nested");
  const std::string key = a.substr(0, eq), val = a.substr(eq + 1);
  Value* cur = &root;
  std::stringstream ks(key);
  std::string part;
  std::vector<std::string> parts;
  while (std::getline(ks, part, '.')) parts.push_back(part);
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty()) throw ConfigError("--set " + a + ": empty key component");
    if (cur->kind == Value::Kind::Seq) {
      char* end = nullptr;
      const unsigned long idx = std::strtoul(p.c_str(), &end, 10);
      if (*end || idx >= cur->seq.size())
        throw ConfigError("--set " + a + ": '" + p + "' is not an index of the list (it has " +
                          std::to_string(cur->seq.size()) + " entries)");
      cur = &cur->seq[idx];
      continue;
    }
    if (cur->kind != Value::Kind::Map) {
      cur->kind = Value::Kind::Map;
      cur->map.clear();
      cur->order.clear();
    }
    auto it = cur->map.find(p);
    if (it == cur->map.end()) {
      cur->order.push_back(p);
      it = cur->map.emplace(p, Value{}).first;
    }
    cur = &it->second;
  }
  Value v;
  try {
    Budget budget;
    v = convert(YAML::Load(val.empty() ? "\"\"" : val), "--set", budget);
  } catch (const YAML::Exception& e) {
    throw ConfigError("--set: key '" + key + "': value '" + val + "' is not valid YAML: " + e.msg);
  }
  v.line = 0;
  // Nested values from --set carry no line either.
  *cur = std::move(v);
  cur->file = "--set";
}

bool parse_u64(const std::string& s0, uint64_t& out) {
  std::string s;
  for (char c : s0)
    if (c != '_') s += c;
  if (s.empty()) return false;
  uint64_t mult = 1;
  std::string num = s;
  const char last = s.back();
  auto strip = [&](size_t n) { num = s.substr(0, s.size() - n); };
  auto unit_bytes = [](char u) {
    return u == 'K' ? 1ull << 10 : u == 'M' ? 1ull << 20 : u == 'G' ? 1ull << 30 : 1ull << 40;
  };
  if (s.size() > 3 && (s.substr(s.size() - 3) == "KiB" || s.substr(s.size() - 3) == "MiB" ||
                       s.substr(s.size() - 3) == "GiB" || s.substr(s.size() - 3) == "TiB")) {
    mult = unit_bytes(s[s.size() - 3]);
    strip(3);
  } else if (const int u = std::toupper(static_cast<unsigned char>(last));
             u == 'K' || u == 'M' || u == 'G' || u == 'T') {
    mult = unit_bytes(static_cast<char>(u));
    strip(1);
  }
  if (num.empty() || num[0] == '-' || num[0] == '+') return false;
  errno = 0;
  char* end = nullptr;
  const bool hex = num.size() > 2 && num[0] == '0' && (num[1] == 'x' || num[1] == 'X');
  const unsigned long long v = std::strtoull(num.c_str(), &end, hex ? 16 : 10);
  if (*end || errno == ERANGE) return false;
  if (mult > 1 && v > UINT64_MAX / mult) return false;
  out = v * mult;
  return true;
}

Section::Section(const Value* v, std::string path, std::string file_hint)
    : v_(v), path_(std::move(path)), file_hint_(std::move(file_hint)) {}

bool Section::has(const std::string& key) const { return v_ && v_->kind == Value::Kind::Map && v_->map.count(key); }

const Value* Section::get(const std::string& key) {
  used_.insert(key);
  if (!v_ || v_->kind != Value::Kind::Map) return nullptr;
  auto it = v_->map.find(key);
  if (it == v_->map.end() || it->second.kind == Value::Kind::Null) return nullptr;
  return &it->second;
}

void Section::fail(const std::string& key, const std::string& msg) const {
  std::string where = file_hint_;
  if (v_ && v_->kind == Value::Kind::Map) {
    auto it = v_->map.find(key);
    if (it != v_->map.end())
      where = it->second.where();
    else if (!v_->file.empty())
      where = v_->where();
  }
  throw ConfigError(where + ": key '" + path(key) + "': " + msg);
}

namespace {
const std::string& scalar_of(Section& s, const Value* v, const std::string& key, const char* what) {
  if (v->kind != Value::Kind::Scalar) s.fail(key, std::string("expected ") + what);
  return v->scalar;
}
}  // namespace

uint64_t Section::u64(const std::string& key, uint64_t def, uint64_t min, uint64_t max) {
  const Value* v = get(key);
  if (!v) return def;
  uint64_t x;
  const std::string& s = scalar_of(*this, v, key, "an unsigned integer");
  if (!parse_u64(s, x)) fail(key, "expected an unsigned integer (e.g. 4096, 0x1000, 2M), got '" + s + "'");
  if (x < min || x > max)
    fail(key, "value " + s + " out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return x;
}

int64_t Section::i64(const std::string& key, int64_t def, int64_t min, int64_t max) {
  const Value* v = get(key);
  if (!v) return def;
  const std::string& s = scalar_of(*this, v, key, "an integer");
  errno = 0;
  char* end = nullptr;
  const long long x = std::strtoll(s.c_str(), &end, 0);
  if (s.empty() || *end || errno == ERANGE) fail(key, "expected an integer, got '" + s + "'");
  if (x < min || x > max)
    fail(key, "value " + s + " out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return x;
}

double Section::real(const std::string& key, double def, double min, double max) {
  const Value* v = get(key);
  if (!v) return def;
  const std::string& s = scalar_of(*this, v, key, "a number");
  errno = 0;
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || errno == ERANGE || x != x) fail(key, "expected a number, got '" + s + "'");
  if (x < min || x > max) fail(key, "value " + s + " out of range");
  return x;
}

bool Section::boolean(const std::string& key, bool def) {
  const Value* v = get(key);
  if (!v) return def;
  const std::string& s = scalar_of(*this, v, key, "true or false");
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail(key, "expected true or false, got '" + s + "'");
}

std::string Section::str(const std::string& key, const std::string& def) {
  const Value* v = get(key);
  return v ? scalar_of(*this, v, key, "a string") : def;
}

std::string Section::path_value(const std::string& key, const std::string& def) {
  const Value* v = get(key);
  if (!v) return def;
  std::string p = scalar_of(*this, v, key, "a file name");
  if (p.empty() || p[0] == '/' || v->file == "--set" || v->file.empty() || v->file[0] == '<') return p;
  return dir_of(v->file) + p;
}

std::string Section::choice(const std::string& key, const std::string& def, const std::vector<std::string>& allowed) {
  std::string s = str(key, def);
  for (const auto& a : allowed)
    if (s == a) return s;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  fail(key, "'" + s + "' is not one of: " + list);
}

Section Section::sub(const std::string& key) {
  const Value* v = get(key);
  if (v && v->kind != Value::Kind::Map) fail(key, "expected a map of keys");
  return Section(v, path(key), v ? v->where() : file_hint_);
}

std::vector<Section> Section::list(const std::string& key) {
  const Value* v = get(key);
  std::vector<Section> out;
  if (!v) return out;
  if (v->kind != Value::Kind::Seq) fail(key, "expected a list");
  for (size_t i = 0; i < v->seq.size(); ++i) {
    const Value& e = v->seq[i];
    const std::string p = path(key) + "[" + std::to_string(i) + "]";
    if (e.kind != Value::Kind::Map) throw ConfigError(e.where() + ": key '" + p + "': expected a map of keys");
    out.emplace_back(&e, p, e.where());
  }
  return out;
}

std::vector<std::string> Section::strings(const std::string& key) {
  const Value* v = get(key);
  std::vector<std::string> out;
  if (!v) return out;
  if (v->kind == Value::Kind::Scalar) return {v->scalar};
  if (v->kind != Value::Kind::Seq) fail(key, "expected a list of values");
  for (const auto& e : v->seq) {
    if (e.kind != Value::Kind::Scalar) fail(key, "expected a list of plain values");
    out.push_back(e.scalar);
  }
  return out;
}

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

void Section::finish() const {
  if (!v_ || v_->kind != Value::Kind::Map) return;
  for (const auto& key : v_->order) {
    if (used_.count(key)) continue;
    std::string known, best;
    size_t best_d = 3;  // suggest only close matches
    for (const auto& k : used_) {
      known += (known.empty() ? "" : ", ") + k;
      const size_t d = edit_distance(key, k);
      if (d < best_d) {
        best_d = d;
        best = k;
      }
    }
    const std::string hint = best.empty() ? "" : "did you mean '" + best + "'? ";
    throw ConfigError(v_->map.at(key).where() + ": key '" + path(key) + "': unknown key (" + hint +
                      "known here: " + known + ")");
  }
}

}  // namespace agilemmu::config
