// Text for the walk's value types (test diagnostics, logs, CLI output), written once here.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include <agilemmu/pt/walk.h>

namespace agilemmu::pt {
// "0x1f": lower-case hex with a 0x prefix, no padding.
std::string hex(uint64_t v);
// One line for a fault: "stage <stage> <kind> level <n> addr 0x.. error code 0x..", or for a fault
// before any table is read (Stage::None, a #GP) "<kind> (#GP) addr 0x..". RISC-V: the fault as
// the spec names it first, "load guest-page fault (scause 21) stage nested ... addr 0x.." (addr is
// the gPA htval reports for a guest-page fault, else stval's VA).
std::string describe(const Fault& f, Isa isa = Isa::X86_64);

inline std::ostream& operator<<(std::ostream& o, Mode v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, Access v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, Port v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, Table v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, Stage v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, FaultKind v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, PageSize v) { return o << to_string(v); }
inline std::ostream& operator<<(std::ostream& o, const Perms& v) { return o << to_string(v); }
}  // namespace agilemmu::pt
