#include "sys/syscall_log.h"

#include <cstring>
#include <stdexcept>

namespace agilemmu::sys {

namespace {

struct Carried {
  const char* name;
  unsigned min_args, max_args;
};
// The calls a trace carries, as valgrind names them, with their argument counts.
constexpr Carried kCarried[] = {{"sys_mmap", 6, 6},     {"sys_munmap", 2, 2},  {"sys_mremap", 4, 5}, {"sys_brk", 1, 1},
                                {"sys_mprotect", 3, 3}, {"sys_madvise", 3, 3}, {"exit_group", 1, 1}};

// A decimal or 0x-hexadecimal number filling [b, e); false if it is not one or overflows. A
// negative decimal (valgrind prints an fd of -1 so, under some builds) is its two's complement.
bool number(const std::string& s, size_t b, size_t e, uint64_t& v) {
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  if (b == e) return false;
  if (s[b] == '-') {
    if (!number(s, b + 1, e, v) || s.compare(b + 1, 2, "0x") == 0 || v > (1ull << 63)) return false;
    v = 0 - v;
    return true;
  }
  unsigned base = 10;
  if (e - b > 2 && s[b] == '0' && s[b + 1] == 'x') {
    base = 16;
    b += 2;
  }
  v = 0;
  for (size_t i = b; i < e; ++i) {
    const char c = s[i];
    unsigned d;
    if (c >= '0' && c <= '9')
      d = unsigned(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = unsigned(c - 'a' + 10);
    else
      return false;
    if (v > (~0ull - d) / base) return false;
    v = v * base + d;
  }
  return true;
}

}  // namespace

bool SyscallLog::line(const std::string& text, uint64_t line_no, WorkloadOp& ev) {
  const auto bad = [&](const std::string& why) {
    return std::runtime_error(name_ + ":" + std::to_string(line_no) + ": malformed syscall record (" + why + "): '" +
                              text + "'");
  };
  if (text.rfind("==", 0) == 0) {
    // Valgrind starts every program image with a header naming its command: the first is the
    // traced process; another with its pid is the image an execve put in place
    // (--trace-children=yes); one with another pid is a child that forked and exec'd.
    const size_t hdr = text.find("== Command: ");
    uint64_t pid = 0;
    if (hdr == std::string::npos || !number(text, 2, hdr, pid)) return false;
    if (!main_pid_) {
      main_pid_ = pid;
      return false;
    }
    if (pid != main_pid_) return false;
    async_.clear();
    have_interrupted_ = false;
    ev = WorkloadOp{};
    ev.kind = WorkloadOp::Exec;
    return true;
  }
  const size_t first = text.find_first_not_of(' ');
  if (first != std::string::npos && text.compare(first, 3, "-->") == 0) {  // an interrupted call's result
    if (!have_interrupted_) return false;
    have_interrupted_ = false;
    return complete(interrupted_, text, line_no, ev);
  }
  if (text.rfind("SYSCALL[", 0) != 0) return false;
  // SYSCALL[pid,tid](nr) NAME ( args ) ... --> [phase] Success(0xRESULT)
  const size_t comma = text.find(',', 8), close = text.find("](", 8);
  const size_t nr_end = close == std::string::npos ? close : text.find(") ", close + 2);
  uint64_t pid = 0, tid = 0, nr = 0;
  if (comma == std::string::npos || close == std::string::npos || comma > close || nr_end == std::string::npos ||
      !number(text, 8, comma, pid) || !number(text, comma + 1, close, tid) || !number(text, close + 2, nr_end, nr))
    throw bad("expected SYSCALL[PID,TID](NR) NAME");
  if (!main_pid_) main_pid_ = pid;  // a log without headers: the first call names the process
  // Another process's calls (a child that forked and exec'd) do not change this address space.
  // (Its references cannot be told apart: lackey's lines carry no pid.)
  if (pid != main_pid_) return false;
  const size_t at = nr_end + 2;
  if (text.compare(at, 12, "... [async] ") == 0) {  // an asynchronous call's completion
    auto it = async_.find({pid, tid});
    if (it == async_.end()) return false;
    const Call c = std::move(it->second);
    async_.erase(it);
    return complete(c, text.substr(at), line_no, ev);
  }
  const size_t name_end = text.find_first_of(" (", at);
  if (name_end == std::string::npos) return false;
  const std::string name = text.substr(at, name_end - at);
  const Carried* k = nullptr;
  for (const auto& c : kCarried)
    if (name == c.name) k = &c;
  if (!k) return false;  // a call the trace does not carry: its arguments are not parsed
  const size_t open = text.find('(', name_end), shut = text.find(')', name_end);
  if (open == std::string::npos || shut == std::string::npos || shut < open ||
      text.find_first_not_of(' ', name_end) != open)
    throw bad("expected " + name + " ( ARGS )");
  Call c;
  c.name = name;
  c.line_no = line_no;
  c.text = text;
  for (size_t b = open + 1; b < shut;) {
    size_t e = text.find(',', b);
    if (e == std::string::npos || e > shut) e = shut;
    if (c.nargs == 6 || !number(text, b, e, c.args[c.nargs++])) throw bad("arguments must be numbers");
    b = e + 1;
  }
  if (c.nargs < k->min_args || c.nargs > k->max_args)
    throw bad(name + " takes " + std::to_string(k->min_args) + " arguments, not " + std::to_string(c.nargs));
  const std::string rest = text.substr(shut + 1);
  if (rest.find("Success(") != std::string::npos || rest.find("Failure(") != std::string::npos)
    return complete(c, rest, line_no, ev);
  if (rest.find("[async] ...") != std::string::npos)
    async_[{pid, tid}] = std::move(c);
  else
    interrupted_ = std::move(c), have_interrupted_ = true;  // a valgrind message cut the line
  return false;
}

bool SyscallLog::complete(const Call& c, const std::string& rest, uint64_t line_no, WorkloadOp& ev) {
  if (rest.find("Failure(") != std::string::npos) return false;  // nothing changed
  const size_t s = rest.find("Success(");
  const size_t e = s == std::string::npos ? s : rest.find(')', s);
  uint64_t result = 0;
  if (e == std::string::npos || !number(rest, s + 8, e, result))
    throw std::runtime_error(name_ + ":" + std::to_string(line_no) + ": malformed syscall record (" + c.name +
                             " has no Success(RESULT) or Failure(ERR)): '" + rest + "'");
  ev = WorkloadOp{};
  const uint64_t* a = c.args;
  if (c.name == "sys_mmap") {
    ev.kind = WorkloadOp::Mmap;
    ev.va = result;
    ev.len = a[1];
    ev.prot = static_cast<uint32_t>(a[2]);
    ev.flags = static_cast<uint32_t>(a[3]);
  } else if (c.name == "sys_munmap") {
    ev.kind = WorkloadOp::Munmap;
    ev.va = a[0];
    ev.len = a[1];
  } else if (c.name == "sys_mremap") {
    ev.kind = WorkloadOp::Mremap;
    ev.va = a[0];
    ev.len = a[1];
    ev.va2 = result;
    ev.len2 = a[2];
  } else if (c.name == "sys_brk") {
    ev.kind = WorkloadOp::Brk, ev.va = result;  // the break after the call (brk(0) only asks)
  } else if (c.name == "sys_mprotect") {
    ev.kind = WorkloadOp::Mprotect;
    ev.va = a[0];
    ev.len = a[1];
    ev.prot = static_cast<uint32_t>(a[2]);
  } else if (c.name == "sys_madvise") {
    // Only the advice that drops pages changes the page tables; the rest is a hint we ignore.
    if (a[2] != linux_abi::kMadvDontneed && a[2] != linux_abi::kMadvFree) return false;
    ev.kind = WorkloadOp::Madvise;
    ev.va = a[0];
    ev.len = a[1];
    ev.prot = static_cast<uint32_t>(a[2]);
  } else {  // exit_group
    ev.kind = WorkloadOp::Exit;
    ev.prot = static_cast<uint32_t>(a[0]);
  }
  return true;
}

}  // namespace agilemmu::sys
