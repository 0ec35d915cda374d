// Unit tests of the sweep library: sweep-file parsing and expansion, result files.
#define BOOST_TEST_MODULE sweep
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/yaml_reader.h"
#include "sweep/results.h"
#include "sweep/runner.h"
#include "sweep/spec.h"
#include "tmp_dir.h"

using namespace agilemmu::sweep;
using agilemmu::config::ConfigError;

namespace {

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The ConfigError message of loading `text`, or "" if it loads.
std::string error_of(const TmpDir& d, const std::string& text) {
  try {
    load_spec(d.write("s.yaml", text));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(cartesian_product_last_axis_fastest) {
  TmpDir d;
  d.write("base.yaml", "seed: 1\n");
  const Spec s =
      load_spec(d.write("s.yaml", "base: base.yaml\naxes:\n  a.x: [1, 2, 3]\n  b: [p, q]\nset:\n  c.d: 7\n"));
  BOOST_TEST(s.base == d.path + "/base.yaml");  // relative to the sweep file, made absolute
  BOOST_TEST(s.swept_keys() == (std::vector<std::string>{"a.x", "b"}), boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(s.fixed.size(), 1u);
  BOOST_TEST(s.fixed[0].first == "c.d");
  BOOST_TEST(s.fixed[0].second == "7");
  const auto pts = expand(s);
  BOOST_REQUIRE_EQUAL(pts.size(), 6u);
  std::vector<std::string> got;
  for (const auto& p : pts) got.push_back(std::to_string(p.index) + ":" + describe(p.assignments));
  const std::vector<std::string> want = {"0:a.x=1 b=p", "1:a.x=1 b=q", "2:a.x=2 b=p",
                                         "3:a.x=2 b=q", "4:a.x=3 b=p", "5:a.x=3 b=q"};
  BOOST_TEST(got == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(zip_groups_advance_together) {
  TmpDir d;
  const Spec s =
      load_spec(d.write("s.yaml",
                        "base: /nonexistent.yaml\naxes:\n  m: [a, b]\nzip:\n  - {x: [1, 2, 3], y: [4, 5, 6]}\n"
                        "  - {z: [7, 8]}\n"));
  BOOST_TEST(s.base == "/nonexistent.yaml");  // a missing base is the run's error, per point
  const auto pts = expand(s);
  BOOST_REQUIRE_EQUAL(pts.size(), 2u * 3u * 2u);
  BOOST_TEST(describe(pts[0].assignments) == "m=a x=1 y=4 z=7");
  BOOST_TEST(describe(pts[3].assignments) == "m=a x=2 y=5 z=8");
  BOOST_TEST(describe(pts[11].assignments) == "m=b x=3 y=6 z=8");
  for (const auto& p : pts)  // x and y always from the same step
    BOOST_TEST(std::stoi(p.assignments[2].second) == std::stoi(p.assignments[1].second) + 3);
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_key) {
  TmpDir d;
  const std::string f = d.path + "/s.yaml";
  BOOST_TEST(error_of(d, "axes:\n  a: [1]\n").find(f + ":1: key 'base': missing") == 0);
  BOOST_TEST(error_of(d, "base: b.yaml\naxes:\n  a: [1]\njobs: 3\n").find(f + ":4: key 'jobs': unknown key") == 0);
  BOOST_TEST(error_of(d, "base: b.yaml\naxes:\n  a: []\n").find(f + ":3: key 'axes.a': expected a non-empty list") ==
             0);
  BOOST_TEST(error_of(d, "base: b.yaml\naxes:\n  a: {x: 1}\n").find(f + ":3: key 'axes.a': expected a list") == 0);
  BOOST_TEST(error_of(d, "base: b.yaml\naxes: [a, b]\n").find(f + ":2: key 'axes': expected a map") == 0);
  BOOST_TEST(
      error_of(d, "base: b.yaml\nzip:\n  - {a: [1, 2], b: [1]}\n").find("key 'zip[0].b': has 1 values but 'a' has 2") !=
      std::string::npos);
  BOOST_TEST(
      error_of(d, "base: b.yaml\naxes:\n  a: [1]\nset:\n  a: 2\n").find(f + ":5: key 'a' appears in more than one") ==
      0);
  BOOST_TEST(error_of(d, "base: b.yaml\n").find("nothing to sweep") != std::string::npos);
  BOOST_TEST(error_of(d, "base: b.yaml\naxes:\n  a: [1]\n").empty());
}

BOOST_AUTO_TEST_CASE(csv_flattens_quotes_and_unions_columns) {
  TmpDir d;
  std::vector<Json> recs(2);
  recs[0] = Json::parse(R"({"point":0,"assignments":{"k":"1"},"status":"ok","error":"","host_seconds":0.5,
                           "stats":{"b":1,"a":{"y":2.5,"x":null},"list":[1,2],"status":"s"}})");
  recs[1] = Json::parse(R"({"point":1,"assignments":{"k":"a,b"},"status":"failed","error":"exit 2: say \"hi\"",
                           "host_seconds":0.25,"stats":{"c":true,"b":3}})");
  write_csv(d.path + "/r.csv", {"k"}, recs);
  // Statistic order = first appearance (the simulator's order, not sorted); a statistic named like
  // a sweep column is prefixed; arrays are one JSON cell; null is empty; RFC 4180 quoting.
  BOOST_TEST(slurp(d.path + "/r.csv") ==
             "k,b,a.y,a.x,list,stat.status,c,host_seconds,point,status,error\n"
             "1,1,2.5,,\"[1,2]\",s,,0.500,0,ok,\n"
             "\"a,b\",3,,,,,true,0.250,1,failed,\"exit 2: say \"\"hi\"\"\"\n");
  BOOST_TEST(jsonl_path_for("out/x.csv") == "out/x.jsonl");
  BOOST_TEST(jsonl_path_for("a.b/results") == "a.b/results.jsonl");
}

BOOST_AUTO_TEST_CASE(jsonl_identity_prefers_ok_then_latest) {
  TmpDir d;
  const std::string p = d.write("r.jsonl",
                                R"({"point":0,"assignments":{"k":"1"},"fixed":{},"status":"ok","stats":{"v":1}})"
                                "\n"
                                R"({"point":0,"assignments":{"k":"1"},"fixed":{},"status":"failed"})"
                                "\n"
                                R"({"point":1,"assignments":{"k":"2"},"fixed":{},"status":"failed"})"
                                "\n"
                                R"({"point":1,"assignments":{"k":"2"},"fixed":{},"status":"ok","stats":{"v":2}})"
                                "\n"
                                R"({"point":2,"assignments":{"k":"2"},"fixed":{"f":"x"},"status":"ok","stats":{"v":3}})"
                                "\n"
                                "{\"point\":3,\"assignm\n");  // cut short by an interrupted sweep
  const auto m = read_jsonl(p);
  BOOST_REQUIRE_EQUAL(m.size(), 3u);  // fixed overrides are part of a point's identity
  Spec s;
  s.dims.push_back(Dim{{"k"}, {{"1", "2"}}});
  const auto pts = expand(s);
  BOOST_TEST(m.at(identity(pts[0], s))["stats"]["v"] == 1);
  BOOST_TEST(m.at(identity(pts[1], s))["stats"]["v"] == 2);
  s.fixed.emplace_back("f", "x");
  BOOST_TEST(m.at(identity(pts[1], s))["stats"]["v"] == 3);
}

BOOST_AUTO_TEST_CASE(error_line_picks_the_agilemmu_message) {
  BOOST_TEST(error_line("\n        SystemC 2.3.4 --- Nov 25\n  Copyright (c) 1996-2022\n"
                        "agilemmu: --set: key 'x': unknown key\nusage: agilemmu ...\n") ==
             "agilemmu: --set: key 'x': unknown key");
  BOOST_TEST(error_line("Info: something\nError: (E549) uncaught exception\n\n") == "Error: (E549) uncaught exception");
  BOOST_TEST(error_line("") == "");
}

BOOST_AUTO_TEST_CASE(base_as_an_axis_runs_each_config) {
  TmpDir d;
  d.write("a.yaml", "seed: 1\n");
  d.write("b.yaml", "seed: 2\n");
  const Spec s = load_spec(d.write("s.yaml", "axes:\n  base: [a.yaml, b.yaml]\n  m: [x]\nset:\n  k: 3\n"));
  BOOST_TEST(s.base.empty());
  const auto pts = expand(s);
  BOOST_REQUIRE_EQUAL(pts.size(), 2u);
  BOOST_TEST(describe(pts[1].assignments) == "base=b.yaml m=x");  // as written: the CSV cell
  BOOST_TEST(s.config_for(pts[1]) == d.path + "/b.yaml");         // resolved next to the sweep file
  // The swept base is the run's config file, not a --set.
  const auto args = run_args(s, pts[1], "/tmp/p.json");
  const std::vector<std::string> want = {"run", d.path + "/b.yaml", "--set",      "k=3", "--set",
                                         "m=x", "--json",           "/tmp/p.json"};
  BOOST_TEST(args == want, boost::test_tools::per_element());
  const std::string f = d.path + "/s.yaml";
  BOOST_TEST(error_of(d, "base: a.yaml\naxes:\n  base: [a.yaml]\n").find(f + ":1: key 'base': given both") == 0);
  BOOST_TEST(error_of(d, "base: a.yaml\naxes:\n  m: [1]\nset:\n  base: b.yaml\n").find(f + ":5: key 'set.base'") == 0);
}

BOOST_AUTO_TEST_CASE(plots_name_swept_keys) {
  TmpDir d;
  const Spec s = load_spec(d.write("s.yaml",
                                   "base: b.yaml\naxes:\n  m: [a, b]\n  w: [1, 2]\nplots:\n"
                                   "  - {x: w, series: m, y: [cycles, walks], logx: true, normalize: m=a}\n"
                                   "  - {y: cycles, series: none}\n"));
  BOOST_REQUIRE_EQUAL(s.plots.size(), 2u);
  BOOST_TEST(s.plots[0].x == "w");
  BOOST_TEST(s.plots[0].series == "m");
  BOOST_TEST(s.plots[0].y == (std::vector<std::string>{"cycles", "walks"}), boost::test_tools::per_element());
  BOOST_TEST(s.plots[0].logx);
  BOOST_TEST(s.plots[0].norm == "m=a");
  BOOST_TEST(s.plots[1].x.empty());  // plot-sweep's default
  BOOST_TEST(s.plots[1].series == "none");
  const std::string f = d.path + "/s.yaml";
  const std::string head = "base: b.yaml\naxes:\n  m: [a]\nplots:\n";
  BOOST_TEST(
      error_of(d, head + "  - {x: q, y: [c]}\n").find(f + ":5: key 'plots[0].x': 'q' is not a swept key (swept: m)") ==
      0);
  BOOST_TEST(error_of(d, head + "  - {x: m}\n").find("key 'plots[0].y': expected a non-empty list") !=
             std::string::npos);
  BOOST_TEST(
      error_of(d, head + "  - {y: c, normalize: q=1}\n").find("key 'plots[0].normalize': expected SWEPT_KEY=VALUE") !=
      std::string::npos);
  BOOST_TEST(error_of(d, head + "  - {y: c, colour: red}\n").find("key 'plots[0].colour': unknown key") !=
             std::string::npos);
}
