// Named statistics groups: every statistic is declared once, with its name, unit, description
// and how it aggregates over sweep points, bound to a counter its owner keeps as a plain integer
// (as gem5's Stats::Group or DRAMSys's statistics groups do). The JSON, the CSV, the run summary,
// `agilemmu run --list-stats` and docs/statistics.md's table are all generated from these
// declarations, so none of them can name a statistic the others lack.
//
// The binding is read only when statistics are written (end of a run): the owners' hot paths keep
// incrementing their own fields, with no lookup and no virtual call per access.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace agilemmu::stats {

enum class Unit : uint8_t { Text, Flag, Count, Cycles, Ns, Seconds, Ratio, PerSecond, Entries, Hash };
const char* to_string(Unit);

// How one number stands for several sweep points (or runs) of a statistic: summed (counts),
// averaged (rates, means), their maximum, or not at all (configuration echoed, names, hashes).
enum class Agg : uint8_t { None, Sum, Mean, Max };
const char* to_string(Agg);

// A statistic's value when it is written. Absent leaves the key out (an empty histogram bucket,
// a level the configured table does not have).
struct Absent {};
using Value = std::variant<Absent, bool, uint64_t, double, std::string>;

// One array dimension of a name: the members it has, named by the enum it indexes (or numbered).
// Closed: every member is a key of its own. Open: the members are numbers, written only where
// present, and listed once as `<label>` (a histogram's buckets).
struct Index {
  std::string label;
  std::vector<std::string> names;
  bool open = false;
};

// The members of enum E (to_string names, up to E::kCount).
template <class E>
Index enum_index(std::string label) {
  Index ix{std::move(label), {}, false};
  for (size_t i = 0; i < size_t(E::kCount); ++i) ix.names.emplace_back(to_string(static_cast<E>(i)));
  return ix;
}
// Members "0".."n-1"; open: listed as <label> and written only where the value is present.
Index numbered(std::string label, size_t n, bool open = false);

// One part of a dotted name: fixed text, or an Index (one member per key).
struct Part {
  std::string text;
  std::shared_ptr<const Index> index;
};

template <class Src>
struct Stat {
  std::vector<Part> path;  // joined with '.'
  Unit unit = Unit::Count;
  Agg agg = Agg::Sum;
  std::string desc;
  std::string when;  // empty: written in every run; else when the key is there ("only when interrupted")
  // Indices: one per Index part, in path order.
  std::function<Value(const Src&, const size_t* idx)> get;
};

// A statistic's declaration, apart from how it is read.
struct Decl {
  std::string name;  // dotted, without the array indices
  Unit unit;
  Agg agg;
  std::string desc;
  std::string when = {};
};

// Value of an integer or floating counter as the outputs write it.
template <class T>
Value value_of(T v) {
  if constexpr (std::is_same_v<T, bool>)
    return Value(v);
  else if constexpr (std::is_floating_point_v<T>)
    return Value(double(v));
  else if constexpr (std::is_integral_v<T>)
    return Value(uint64_t(v));
  else
    return Value(std::string(v));
}

std::vector<Part> split_name(const std::string& dotted);

template <class Src>
class Group {
 public:
  using Getter = std::function<Value(const Src&)>;
  using ArrayGetter = std::function<Value(const Src&, size_t)>;

  Group& add(const Decl& d, Getter get) {
    stats_.push_back(make(d, split_name(d.name), [get](const Src& s, const size_t*) { return get(s); }));
    return *this;
  }
  // A counter the owner keeps as a field.
  template <class T, class Owner, class = std::enable_if_t<std::is_base_of_v<Owner, Src>>>
  Group& add(const Decl& d, T Owner::*field) {
    return add(d, [field](const Src& s) { return value_of(s.*field); });
  }
  // An array statistic: name.<member> for each member of ix.
  Group& add_array(const Decl& d, Index ix, ArrayGetter get) {
    auto path = split_name(d.name);
    path.push_back({{}, std::make_shared<const Index>(std::move(ix))});
    stats_.push_back(make(d, std::move(path), [get](const Src& s, const size_t* i) { return get(s, i[0]); }));
    return *this;
  }
  // A std::array field indexed by enum E: its size and member names both come from E.
  template <class E, class T, size_t N, class Owner, class = std::enable_if_t<std::is_base_of_v<Owner, Src>>>
  Group& add_array(const Decl& d, std::array<T, N> Owner::*field, std::string label) {
    static_assert(N == size_t(E::kCount), "the array is indexed by E: one element per member");
    return add_array(d, enum_index<E>(std::move(label)),
                     [field](const Src& s, size_t i) { return value_of((s.*field)[i]); });
  }
  // Every statistic of `g` under `prefix`; proj(src) gives g's source (a reference or a small view).
  template <class Sub, class Proj>
  Group& nest(const std::string& prefix, const Group<Sub>& g, Proj proj) {
    const auto pre = split_name(prefix);
    for (const auto& s : g.stats()) {
      Stat<Src> t = copy_decl(s, pre);
      t.get = [get = s.get, proj](const Src& src, const size_t* i) { return get(proj(src), i); };
      stats_.push_back(std::move(t));
    }
    return *this;
  }
  // `g` once per member of ix, under prefix.<member>; proj(src, i) gives member i's source.
  template <class Sub, class Proj>
  Group& nest_each(const std::string& prefix, Index ix, const Group<Sub>& g, Proj proj) {
    auto pre = split_name(prefix);
    pre.push_back({{}, std::make_shared<const Index>(std::move(ix))});
    for (const auto& s : g.stats()) {
      Stat<Src> t = copy_decl(s, pre);
      t.get = [get = s.get, proj](const Src& src, const size_t* i) { return get(proj(src, i[0]), i + 1); };
      stats_.push_back(std::move(t));
    }
    return *this;
  }
  const std::vector<Stat<Src>>& stats() const { return stats_; }

 private:
  template <class F>
  static Stat<Src> make(const Decl& d, std::vector<Part> path, F get) {
    return Stat<Src>{std::move(path), d.unit, d.agg, d.desc, d.when, std::move(get)};
  }
  template <class Sub>
  static Stat<Src> copy_decl(const Stat<Sub>& s, std::vector<Part> pre) {
    pre.insert(pre.end(), s.path.begin(), s.path.end());
    return Stat<Src>{std::move(pre), s.unit, s.agg, s.desc, s.when, {}};
  }
  std::vector<Stat<Src>> stats_;
};

// --- names and listings (no values) ---

// Name of one key: the path with member idx[k] of the k-th Index part.
std::string key_name(const std::vector<Part>& path, const std::vector<size_t>& idx);
// Calls f(idx) for every combination of members of the path's Index parts.
void for_each_index(const std::vector<Part>& path, const std::function<void(const std::vector<size_t>&)>& f);

// One row of `--list-stats`: a key (an open Index shown as <label>).
struct Listed {
  std::string name;
  Unit unit;
  Agg agg;
  std::string desc;
  std::string when;
};
// Declarations without their getters, so listings need no source.
struct Shape {
  std::vector<Part> path;
  Unit unit;
  Agg agg;
  std::string desc;
  std::string when;
};
template <class Src>
std::vector<Shape> shapes(const Group<Src>& g) {
  std::vector<Shape> out;
  for (const auto& s : g.stats()) out.push_back({s.path, s.unit, s.agg, s.desc, s.when});
  return out;
}
// Every key, closed indices expanded, sorted by name (the order of the JSON and CSV outputs).
std::vector<Listed> list(const std::vector<Shape>& shapes);
// Aligned text table: name, unit, aggregation, description (and when the key is written).
std::string list_text(const std::vector<Shape>& shapes);
// Markdown table, one row per declaration, an Index shown as {a,b,...} or <label>.
std::string list_markdown(const std::vector<Shape>& shapes);

// --- values ---

// Calls f(dotted key, value) for every key, in declaration order, Absent ones included: a writer
// leaves those out but keeps their parent (an array with no member present is still an object).
template <class Src, class F>
void visit(const Group<Src>& g, const Src& src, F&& f) {
  for (const auto& s : g.stats())
    for_each_index(s.path, [&](const std::vector<size_t>& idx) { f(key_name(s.path, idx), s.get(src, idx.data())); });
}

}  // namespace agilemmu::stats
