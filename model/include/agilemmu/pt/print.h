// Stream output for the walk's value types (test diagnostics, logs).
#pragma once
#include <ostream>

#include <agilemmu/pt/walk.h>

namespace agilemmu::pt {
inline std::ostream& operator<<(std::ostream& o, Mode v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, Access v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, Port v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, Table v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, Stage v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, FaultKind v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, PageSize v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, const Perms& v) { return o << to_string(v); }
}  // namespace agilemmu::pt
