// The statistics registry: names from enums and groups, values read through bindings, listings.
#define BOOST_TEST_MODULE stats_registry
#include <boost/test/unit_test.hpp>
#include <map>

#include <agilemmu/stats/registry.h>

using namespace agilemmu;
using stats::Agg, stats::Unit, stats::Value;

namespace demo {
enum class Color : uint8_t { Red, Green, Blue, kCount };
const char* to_string(Color c) { return c == Color::Red ? "red" : c == Color::Green ? "green" : "blue"; }

struct Counters {
  uint64_t hits = 0;
  double mean = 0;
  std::array<uint64_t, size_t(Color::kCount)> by_color{};
  std::array<uint64_t, 4> hist{};
};
// A source that owns two Counters, as the Mmu owns several caches.
struct Owner {
  Counters a, b;
  std::string name;
};
}  // namespace demo

namespace {
template <class Src>
std::map<std::string, Value> values(const stats::Group<Src>& g, const Src& s) {
  std::map<std::string, Value> out;
  stats::visit(g, s, [&](const std::string& k, const Value& v) { BOOST_TEST(out.emplace(k, v).second); });
  return out;
}

stats::Group<demo::Counters> counters_group() {
  stats::Group<demo::Counters> g;
  g.add({"hits", Unit::Count, Agg::Sum, "hits"}, &demo::Counters::hits);
  g.add({"stat.mean", Unit::Cycles, Agg::Mean, "a mean"}, &demo::Counters::mean);
  g.add_array<demo::Color>({"by_color", Unit::Count, Agg::Sum, "per color"}, &demo::Counters::by_color, "color");
  g.add_array({"hist", Unit::Count, Agg::Sum, "buckets", "only nonzero"}, stats::numbered("n", 4, true),
              [](const demo::Counters& c, size_t i) { return c.hist[i] ? stats::value_of(c.hist[i]) : Value{}; });
  return g;
}
}  // namespace

BOOST_AUTO_TEST_CASE(array_members_are_named_by_the_enum) {
  const auto ix = stats::enum_index<demo::Color>("color");
  BOOST_TEST(ix.names == (std::vector<std::string>{"red", "green", "blue"}), boost::test_tools::per_element());
  demo::Counters c;
  c.by_color = {1, 2, 3};
  const auto v = values(counters_group(), c);
  BOOST_TEST(std::get<uint64_t>(v.at("by_color.red")) == 1u);
  BOOST_TEST(std::get<uint64_t>(v.at("by_color.green")) == 2u);
  BOOST_TEST(std::get<uint64_t>(v.at("by_color.blue")) == 3u);
}

BOOST_AUTO_TEST_CASE(fields_are_read_when_visited_with_their_types) {
  demo::Counters c;
  c.hits = 7;
  c.mean = 2.5;
  const auto g = counters_group();
  auto v = values(g, c);
  BOOST_TEST(std::get<uint64_t>(v.at("hits")) == 7u);
  BOOST_TEST(std::get<double>(v.at("stat.mean")) == 2.5);
  c.hits = 9;  // the binding reads the counter itself, not a copy taken at declaration
  v = values(g, c);
  BOOST_TEST(std::get<uint64_t>(v.at("hits")) == 9u);
}

BOOST_AUTO_TEST_CASE(open_index_members_are_absent_unless_present) {
  demo::Counters c;
  c.hist = {0, 5, 0, 1};
  const auto v = values(counters_group(), c);
  BOOST_TEST(std::holds_alternative<stats::Absent>(v.at("hist.0")));
  BOOST_TEST(std::get<uint64_t>(v.at("hist.1")) == 5u);
  BOOST_TEST(std::holds_alternative<stats::Absent>(v.at("hist.2")));
  BOOST_TEST(std::get<uint64_t>(v.at("hist.3")) == 1u);
}

BOOST_AUTO_TEST_CASE(nested_groups_route_each_member_to_its_source) {
  stats::Group<demo::Owner> g;
  g.add({"name", Unit::Text, Agg::None, "name"}, [](const demo::Owner& o) { return Value(o.name); });
  g.nest_each("caches", stats::Index{"cache", {"a", "b"}, false}, counters_group(),
              [](const demo::Owner& o, size_t i) -> const demo::Counters& { return i ? o.b : o.a; });
  g.nest("first", counters_group(), [](const demo::Owner& o) -> const demo::Counters& { return o.a; });
  demo::Owner o;
  o.name = "x";
  o.a.hits = 1;
  o.b.hits = 2;
  o.b.by_color[2] = 4;
  const auto v = values(g, o);
  BOOST_TEST(std::get<std::string>(v.at("name")) == "x");
  BOOST_TEST(std::get<uint64_t>(v.at("caches.a.hits")) == 1u);
  BOOST_TEST(std::get<uint64_t>(v.at("caches.b.hits")) == 2u);
  BOOST_TEST(std::get<uint64_t>(v.at("caches.b.by_color.blue")) == 4u);
  BOOST_TEST(std::get<uint64_t>(v.at("caches.a.by_color.blue")) == 0u);
  BOOST_TEST(std::get<uint64_t>(v.at("first.hits")) == 1u);
  // 1 + 2 x (2 + 3 + 4) + (2 + 3 + 4) keys, each once.
  BOOST_TEST(v.size() == 1u + 2 * 9 + 9);
}

BOOST_AUTO_TEST_CASE(listing_expands_closed_indices_sorted_and_shows_open_ones_once) {
  stats::Group<demo::Owner> g;
  g.nest_each("c", stats::Index{"cache", {"b", "a"}, false}, counters_group(),
              [](const demo::Owner& o, size_t i) -> const demo::Counters& { return i ? o.b : o.a; });
  const auto rows = stats::list(stats::shapes(g));
  std::vector<std::string> names;
  for (const auto& r : rows) names.push_back(r.name);
  const std::vector<std::string> want = {
      "c.a.by_color.blue", "c.a.by_color.green", "c.a.by_color.red", "c.a.hist.<n>", "c.a.hits", "c.a.stat.mean",
      "c.b.by_color.blue", "c.b.by_color.green", "c.b.by_color.red", "c.b.hist.<n>", "c.b.hits", "c.b.stat.mean"};
  BOOST_TEST(names == want, boost::test_tools::per_element());
  const std::string text = stats::list_text(stats::shapes(g));
  BOOST_TEST(text.find("c.a.hist.<n>") != std::string::npos);
  BOOST_TEST(text.find("buckets (only nonzero)") != std::string::npos);
  BOOST_TEST(text.find("cycles") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(markdown_has_one_row_per_declaration_with_alternatives) {
  stats::Group<demo::Owner> g;
  g.add({"name", Unit::Text, Agg::None, "a|b <x>"}, [](const demo::Owner& o) { return Value(o.name); });
  g.nest_each("c", stats::Index{"cache", {"a", "b"}, false}, counters_group(),
              [](const demo::Owner& o, size_t i) -> const demo::Counters& { return i ? o.b : o.a; });
  const std::string md = stats::list_markdown(stats::shapes(g));
  BOOST_TEST(md.find("| `name` | text | none | a\\|b &lt;x&gt; |") != std::string::npos);
  BOOST_TEST(md.find("| `c.{a,b}.by_color.{red,green,blue}` | count | sum | per color |") != std::string::npos);
  BOOST_TEST(md.find("| `c.{a,b}.hist.<n>` | count | sum | buckets (only nonzero) |") != std::string::npos);
  size_t rows = 0;
  for (char ch : md) rows += ch == '\n';
  BOOST_TEST(rows == 2u + 1 + 4);  // header, separator, name, the four declarations of counters_group
}
