// Per-point records and the two result files. A record is one line of results.jsonl and the
// content of one cluster point file (point-0007.json):
//   {"point": 7, "assignments": {key: value...}, "fixed": {key: value...}, "status": "ok"|"failed",
//    "exit_code": 0, "error": "", "host_seconds": 0.12, "stats": {the run's --json output}}
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sweep/spec.h"

namespace agilemmu::sweep {

using Json = nlohmann::ordered_json;  // keeps the simulator's statistic order

Json make_record(const Point& p, const Spec& s);
bool record_ok(const Json& r);
// Identity used by --resume and --merge: swept and fixed assignments (not the index, which moves
// when a sweep file gains values).
std::string identity(const Json& record);
std::string identity(const Point& p, const Spec& s);

// Reads results.jsonl (missing file = none). Per identity, an ok record beats a failed one, a
// later one beats an earlier one.
std::map<std::string, Json> read_jsonl(const std::string& path);
void write_jsonl(const std::string& path, const std::vector<Json>& records);

// Flattens nested objects into dotted names; arrays become one JSON-encoded cell; null = empty.
void flatten(const Json& j, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out);
// CSV (RFC 4180 quoting): swept keys, statistics (union, in order of first appearance by point),
// then host_seconds, point, status, error.
void write_csv(const std::string& path, const std::vector<std::string>& swept, const std::vector<Json>& records);

// results.csv -> results.jsonl (same directory, same stem).
std::string jsonl_path_for(const std::string& csv);
// Writes via a temporary file and rename, so an interrupted sweep never leaves half a file.
void write_file_atomic(const std::string& path, const std::string& text);

}  // namespace agilemmu::sweep
