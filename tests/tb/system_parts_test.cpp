// The system around the MMU: DRAM timing, workload producers, lackey parsing.
#define BOOST_TEST_MODULE system_parts
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <agilemmu/pt/print.h>

#include "sys/dram.h"
#include "sys/time_conv.h"
#include "sys/workload.h"

using namespace agilemmu;
using sys::DramConfig;
using sys::DramTiming;

namespace {
// Reads all of `bytes` with trace reader Source (named `name`); returns its error, "" if none.
template <class Source>
std::string trace_error_of(const std::string& bytes, const std::string& name) {
  try {
    Source s(std::make_unique<std::istringstream>(bytes), name);
    sys::WorkloadOp it;
    while (s.next(it)) {
    }
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(dram_row_hit_miss_conflict_latency) {
  DramConfig c;         // open page, 8 KiB rows, 8 banks, tRCD = tCL = tRP = 14 ns, 4 ns per 64 B
  c.xor_banks = false;  // other_row below is the same bank under the linear mapping only
  DramTiming d(c);
  const double burst = c.tBURST_ns;
  // First access to a bank: the row is closed -> activate + column access.
  BOOST_TEST(d.access(0x0, false, 64, 0) == c.tRCD_ns + c.tCL_ns + burst);
  // Same row, later: row hit -> column access only.
  BOOST_TEST(d.access(0x40, false, 64, 1000) == c.tCL_ns + burst);
  // Same bank, other row: precharge + activate + column access.
  const uint64_t other_row = uint64_t(c.row_bytes) * c.banks * c.channels;
  BOOST_TEST(d.bank_of(other_row) == d.bank_of(0));
  BOOST_TEST(d.row_of(other_row) != d.row_of(0));
  BOOST_TEST(d.access(other_row, false, 64, 2000) == c.tRP_ns + c.tRCD_ns + c.tCL_ns + burst);
  BOOST_TEST(d.counters().row_hits == 1u);
  BOOST_TEST(d.counters().row_misses == 1u);
  BOOST_TEST(d.counters().row_conflicts == 1u);
}

BOOST_AUTO_TEST_CASE(dram_closed_page_and_bank_contention) {
  DramConfig c;
  c.open_page = false;
  DramTiming d(c);
  const double t = c.tRCD_ns + c.tCL_ns + c.tBURST_ns;
  BOOST_TEST(d.access(0x0, false, 64, 0) == t);
  BOOST_TEST(d.access(0x40, false, 64, 1000) == t);  // closed page: no row hits
  BOOST_TEST(d.counters().row_hits == 0u);
  // Two requests to one bank at the same time: the second waits for the first (and its
  // precharge, under closed page).
  DramTiming e(c);
  BOOST_TEST(e.access(0x0, false, 64, 5000) == t);
  BOOST_TEST(e.access(0x80, false, 64, 5000) == t + t + c.tRP_ns);
  // Another bank is independent.
  BOOST_TEST(e.access(c.row_bytes, false, 64, 5000) == t);
}

BOOST_AUTO_TEST_CASE(dram_config_validation) {
  DramConfig c;
  c.banks = 6;
  BOOST_TEST(c.validate() == "banks must be a power of two");
  c.banks = 8;
  c.row_bytes = 100;
  BOOST_TEST(c.validate().find("row_bytes") == 0u);
}

namespace {
sys::WorkloadConfig two_regions(uint64_t seed) {
  sys::WorkloadConfig w;
  w.accesses = 20000;
  w.seed = seed;
  sys::RegionTraffic code;
  code.name = "code", code.base = 0x400000, code.size = 1 << 20, code.code = true,
  code.pattern = sys::Pattern::Sequential;
  sys::RegionTraffic heap;
  heap.name = "heap", heap.base = 0x10000000, heap.size = 16 << 20, heap.pattern = sys::Pattern::Zipf, heap.skew = 1.2;
  heap.weight = 3, heap.write_fraction = 0.25, heap.remap_rate = 2;
  w.regions = {code, heap};
  return w;
}
std::vector<sys::WorkloadOp> drain(sys::Source& s) {
  std::vector<sys::WorkloadOp> v;
  sys::WorkloadOp it;
  while (s.next(it)) v.push_back(it);
  return v;
}
}  // namespace

BOOST_AUTO_TEST_CASE(synthetic_source_is_deterministic_per_seed) {
  sys::SyntheticSource a(two_regions(1)), b(two_regions(1)), c(two_regions(2));
  const auto va = drain(a), vb = drain(b), vc = drain(c);
  BOOST_REQUIRE_EQUAL(va.size(), vb.size());
  bool same = true, differ = va.size() != vc.size();
  for (size_t i = 0; i < va.size(); ++i) same &= va[i].va == vb[i].va && va[i].kind == vb[i].kind;
  for (size_t i = 0; i < std::min(va.size(), vc.size()) && !differ; ++i) differ = va[i].va != vc[i].va;
  BOOST_TEST(same);
  BOOST_TEST(differ);
}

BOOST_AUTO_TEST_CASE(synthetic_patterns_and_mix) {
  sys::SyntheticSource s(two_regions(3));
  const auto items = drain(s);
  uint64_t accesses = 0, fetches = 0, writes = 0, data = 0, remaps = 0, last_code = 0;
  bool sequential = true;
  std::map<uint64_t, uint64_t> heap_pages;
  for (const auto& it : items) {
    if (it.kind == sys::WorkloadOp::Remap) {
      ++remaps;
      BOOST_TEST((it.va >= 0x10000000 && it.va < 0x11000000 && it.va % 4096 == 0));
      continue;
    }
    ++accesses;
    if (it.access == pt::Access::Fetch) {
      ++fetches;
      BOOST_TEST((it.va >= 0x400000 && it.va < 0x500000));
      if (last_code && it.va != last_code + 8) sequential = false;
      last_code = it.va;
    } else {
      ++data;
      writes += it.access == pt::Access::Write;
      ++heap_pages[(it.va - 0x10000000) >> 12];
    }
  }
  BOOST_TEST(accesses == 20000u);
  BOOST_TEST(sequential);  // code is fetched word after word
  const double wf = double(writes) / data, share = double(data) / accesses;
  BOOST_TEST((wf > 0.22 && wf < 0.28));        // write_fraction 0.25
  BOOST_TEST((share > 0.72 && share < 0.78));  // weights 3:1
  // Zipf: the first page is the most popular, far above the average page.
  BOOST_TEST(heap_pages[0] > 20 * data / heap_pages.size());
  BOOST_TEST((remaps > 20u && remaps < 60u));  // 2 per 1000 accesses
}

BOOST_AUTO_TEST_CASE(lackey_reader_parses_and_reports_line) {
  const std::string path = "lackey_test.trace";
  std::ofstream(path) << "==123== Lackey\nI  0401ab70,3\n S 1fff000618,8\n\n M 7000,4\n L 10,x\n";
  sys::LackeyTraceSource s(path);
  sys::WorkloadOp it;
  BOOST_REQUIRE(s.next(it));
  BOOST_TEST(it.va == 0x401ab70u);
  BOOST_TEST(it.access == pt::Access::Fetch);
  BOOST_REQUIRE(s.next(it));
  BOOST_TEST((it.access == pt::Access::Write && it.size == 8u));
  BOOST_REQUIRE(s.next(it));  // M = load ...
  BOOST_TEST((it.access == pt::Access::Read && it.va == 0x7000u));
  BOOST_REQUIRE(s.next(it));  // ... then store
  BOOST_TEST((it.access == pt::Access::Write && it.va == 0x7000u));
  try {
    s.next(it);
    BOOST_FAIL("no error for a bad size");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "lackey_test.trace:6: malformed lackey record (size must be a decimal 1..4096): ' L 10,x'");
  }
  // strtoull/strtoul alone accepted these (a sign, a 0x prefix, leading blanks, overflow).
  auto error_of = [](const std::string& text) { return trace_error_of<sys::LackeyTraceSource>(text, "t"); };
  for (const char* rec : {" L -10,8", " L 0x10,8", " L \t10,8", " L 10,+8", " L 10, 8"})
    BOOST_TEST(error_of(std::string(rec) + "\n").find("t:1: malformed lackey record") == 0u, rec);
  BOOST_TEST(error_of(" L 10000000000000000,8\n").find("(address is wider than 64 bits)") != std::string::npos);
  BOOST_TEST(error_of(" L 0000ffffffffffffffff,4096\n").empty());  // zero-padded is fine
}

BOOST_AUTO_TEST_CASE(binary_trace_round_trip_and_errors) {
  const std::string lackey = "rt.lackey", bin = "rt.bin";
  std::ofstream(lackey) << "I  0401ab70,3\n S 1fff000618,8\n L 0000001000,4\n M 7000,16\nI  0401ab73,5\n";
  {
    sys::LackeyTraceSource in(lackey);
    sys::BinaryTraceWriter w(bin);
    sys::WorkloadOp it;
    while (in.next(it)) w.add(it);
    w.finish();
    BOOST_TEST(w.records() == 6u);  // M counts as read + write
  }
  sys::LackeyTraceSource a(lackey);
  auto b = sys::open_trace(bin);
  BOOST_TEST(b->expected() == 6u);
  sys::WorkloadOp x, y;
  unsigned n = 0;
  while (a.next(x)) {
    BOOST_REQUIRE(b->next(y));
    BOOST_TEST(x.va == y.va);
    BOOST_TEST(x.size == y.size);
    BOOST_TEST((x.access == y.access));
    ++n;
  }
  BOOST_TEST(!b->next(y));
  BOOST_TEST(n == 6u);
  auto error_of = [](const std::string& bytes) { return trace_error_of<sys::BinaryTraceSource>(bytes, "t.bin"); };
  std::string good(sys::kTraceMagic, 8);
  good += std::string("\1\0\0\0\0\0\0\0", 8) + std::string("\2\0\0\0\0\0\0\0", 8);
  BOOST_TEST(error_of("NOTATRACE_AT_ALL_________") == "t.bin: not an agilemmu binary trace (bad magic)");
  BOOST_TEST(error_of(good + "\1\x80") == "t.bin: record 0: truncated address");
  BOOST_TEST(error_of(good + "\x09\2") == "t.bin: record 0: reserved flag bits set");
  BOOST_TEST(error_of(good + "\1\2") == "t.bin: record 1: file ends after 1 of 2 records");
  BOOST_TEST(error_of(good + "\1\2\3\2").find("record 1: bad access kind") != std::string::npos);
  // A tenth LEB128 byte may only carry bit 63; its other bits used to vanish silently.
  BOOST_TEST(error_of(good + "\1" + std::string(9, '\xff') + "\x02") ==
             "t.bin: record 0: address delta longer than 64 bits");
  BOOST_TEST(error_of(good + "\1" + std::string(9, '\xff') + "\x01" + "\1\2").empty());
}

namespace {
std::vector<sys::WorkloadOp> read_all(const std::string& path) { return drain(*sys::open_trace(path)); }
std::string open_error(const std::string& path) {
  try {
    read_all(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}
bool same(const std::vector<sys::WorkloadOp>& a, const std::vector<sys::WorkloadOp>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].kind != b[i].kind || a[i].va != b[i].va || a[i].size != b[i].size || a[i].access != b[i].access)
      return false;
  return true;
}
}  // namespace

BOOST_AUTO_TEST_CASE(zstd_traces_round_trip_and_report_corruption) {
  // Enough records that the compressed stream spans several input blocks.
  std::string text;
  for (unsigned i = 0; i < 40000; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "I  %08x,%u\n %c %010x,8\n", 0x400000 + 4 * (i % 300), 1 + i % 7, "LSM"[i % 3],
                  0x10000000 + ((i * 2654435761u) & 0xffffff));
    text += line;
  }
  std::ofstream("z.lackey") << text;
  {  // the same text, compressed
    auto sink = sys::open_trace_sink("z.lackey.zst");
    sink->write(text.data(), text.size());
    sink->finish();
  }
  for (const char* out : {"z.bin", "z.bin.zst"}) {
    sys::LackeyTraceSource in("z.lackey");
    sys::BinaryTraceWriter w(out);
    sys::WorkloadOp it;
    while (in.next(it)) w.add(it);
    w.finish();
  }
  const auto ref = read_all("z.lackey");
  BOOST_TEST(ref.size() == 40000u + 40000u + 13333u);  // every M (i % 3 == 2) is a read and a write
  BOOST_TEST(same(read_all("z.lackey.zst"), ref));
  BOOST_TEST(same(read_all("z.bin"), ref));
  BOOST_TEST(same(read_all("z.bin.zst"), ref));
  std::ifstream f("z.bin.zst", std::ios::binary);
  const std::string z((std::istreambuf_iterator<char>(f)), {});
  BOOST_TEST(z.substr(0, 4) == "\x28\xb5\x2f\xfd");  // really compressed
  BOOST_TEST(z.size() < std::ifstream("z.bin", std::ios::ate | std::ios::binary).tellg());
  // A truncated stream and a damaged frame header are errors naming the file, not a short trace.
  std::ofstream("cut.bin.zst", std::ios::binary) << z.substr(0, z.size() / 2);
  BOOST_TEST(open_error("cut.bin.zst") == "cut.bin.zst: truncated zstd stream (the file ends inside a frame)");
  std::string bad = z;
  bad[4] = '\xff', bad[5] = '\xff';
  std::ofstream("bad.bin.zst", std::ios::binary) << bad;
  BOOST_TEST(open_error("bad.bin.zst").find("bad.bin.zst: corrupt zstd stream (") == 0u, open_error("bad.bin.zst"));
}

// Under some builds (an ASan binary's runtime) valgrind prints an mmap's fd as -1: a negative
// decimal is an argument like any other (found by the asan preset's trace.capture_mm_churn).
BOOST_AUTO_TEST_CASE(syscall_arguments_may_be_negative) {
  const std::string log =
      "SYSCALL[7,1](9) sys_mmap ( 0x0, 4096, 3, 34, -1, 0 ) --> [pre-success] Success(0x483c000) \n"
      "SYSCALL[7,1](11) sys_munmap ( 0x483c000, -4096 ) --> [pre-success] Success(0x0) \n";
  sys::LackeyTraceSource s(std::make_unique<std::istringstream>(log), "t");
  const std::vector<sys::WorkloadOp> v = drain(s);
  BOOST_REQUIRE(v.size() == 2u);
  BOOST_TEST((v[0].kind == sys::WorkloadOp::Mmap && v[0].va == 0x483c000u && v[0].len == 4096u && v[0].flags == 34u));
  BOOST_TEST((v[1].kind == sys::WorkloadOp::Munmap && v[1].len == 0 - 4096ull));
  const std::string e =
      trace_error_of<sys::LackeyTraceSource>("SYSCALL[7,1](11) sys_munmap ( 0x1000, -0x10 ) --> Success(0x0)\n", "t");
  BOOST_TEST(e.find("arguments must be numbers") != std::string::npos, e);
}

// valgrind --trace-syscalls=yes lines as this valgrind (3.19) prints them, in a lackey log.
BOOST_AUTO_TEST_CASE(syscall_lines_become_memory_map_events) {
  const std::string log =
      "==7== Command: ./wrap.sh\n"
      "I  04020ce0,5\n"
      "SYSCALL[7,1](9) sys_mmap ( 0x0, 1048576, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x4a2c000) \n"
      "SYSCALL[7,1](0) sys_read ( 4, 0x1ffeffecd8, 832 ) --> [async] ... \n"
      "SYSCALL[7,1](0) ... [async] --> Success(0x340) \n"
      "SYSCALL[7,1](28) sys_madvise ( 0x4a2c000, 65536, 4 ) --> [async] ... \n"
      " S 04a2c000,8\n"
      "SYSCALL[7,1](28) ... [async] --> Success(0x0) \n"
      "SYSCALL[7,1](28) sys_madvise ( 0x4a2c000, 4096, 3 ) --> [async] ... \n"  // MADV_WILLNEED: no event
      "SYSCALL[7,1](28) ... [async] --> Success(0x0) \n"
      "SYSCALL[7,1](25) sys_mremap ( 0x4a2c000, 1048576, 2097152, 0x1 ) --> [pre-success] Success(0x4b2d000) \n"
      "SYSCALL[7,1](10) sys_mprotect ( 0x4b2d000, 8192, 1 )[sync] --> Success(0x0) \n"
      "SYSCALL[7,1](11) sys_munmap ( 0xffffffffffffffff, 4096 )==7== Warning: client syscall munmap tried\n"
      " --> [pre-fail] Failure(0x16) \n"
      "SYSCALL[7,1](11) sys_munmap ( 0x4b2d000, 2097152 )==7== Warning: something\n"
      " --> [pre-success] Success(0x0) \n"
      "SYSCALL[7,1](12) sys_brk ( 0x4045000 ) --> [pre-success] Success(0x4045000) \n"
      "==9== Command: /usr/bin/dirname x\n"  // a forked child's exec: not ours, no exec event
      "SYSCALL[9,1](11) sys_munmap ( 0x4045000, 4096 )[sync] --> Success(0x0) \n"  // its calls: skipped
      "SYSCALL[7,1](334) unimplemented (by the kernel) syscall: 334! (ni_syscall)\n"
      " --> [pre-fail] Failure(0x26) \n"
      "SYSCALL[7,1](59) sys_execve ( 0x129898(/bin/ls), 0x1298d8, 0x4035b88 )==7== Lackey, an example\n"
      "==7== Command: /bin/ls /\n"
      "SYSCALL[7,1](231) exit_group( 3 ) --> [pre-success] Success(0x0) \n";
  sys::LackeyTraceSource s(std::make_unique<std::istringstream>(log), "t");
  const std::vector<sys::WorkloadOp> v = drain(s);
  BOOST_REQUIRE(v.size() == 10u);
  BOOST_TEST((v[0].kind == sys::WorkloadOp::Access && v[0].access == pt::Access::Fetch));
  BOOST_TEST((v[1].kind == sys::WorkloadOp::Mmap && v[1].va == 0x4a2c000u && v[1].len == 1048576u && v[1].prot == 3u &&
              v[1].flags == 34u));
  BOOST_TEST(
      (v[2].kind == sys::WorkloadOp::Access && v[2].access == pt::Access::Write));  // before the madvise returned
  BOOST_TEST((v[3].kind == sys::WorkloadOp::Madvise && v[3].va == 0x4a2c000u && v[3].len == 65536u && v[3].prot == 4u));
  BOOST_TEST((v[4].kind == sys::WorkloadOp::Mremap && v[4].va == 0x4a2c000u && v[4].len == 1048576u &&
              v[4].va2 == 0x4b2d000u && v[4].len2 == 2097152u));
  BOOST_TEST((v[5].kind == sys::WorkloadOp::Mprotect && v[5].va == 0x4b2d000u && v[5].len == 8192u && v[5].prot == 1u));
  BOOST_TEST(
      (v[6].kind == sys::WorkloadOp::Munmap && v[6].va == 0x4b2d000u && v[6].len == 2097152u));  // failed one: none
  BOOST_TEST((v[7].kind == sys::WorkloadOp::Brk && v[7].va == 0x4045000u));
  BOOST_TEST(v[8].kind == sys::WorkloadOp::Exec);  // the second image's header
  BOOST_TEST((v[9].kind == sys::WorkloadOp::Exit && v[9].prot == 3u));

  // The events survive the binary format (version 2) and its zstd form, in order with the accesses.
  for (const char* out : {"ev.bin", "ev.bin.zst"}) {
    {
      sys::BinaryTraceWriter w(out);
      for (const auto& e : v) w.add(e);
      w.finish();
    }
    const auto back = read_all(out);
    BOOST_REQUIRE(back.size() == v.size());
    for (size_t i = 0; i < v.size(); ++i)
      BOOST_TEST((back[i].kind == v[i].kind && back[i].va == v[i].va && back[i].len == v[i].len &&
                  back[i].va2 == v[i].va2 && back[i].len2 == v[i].len2 && back[i].prot == v[i].prot &&
                  back[i].flags == v[i].flags && back[i].access == v[i].access && back[i].size == v[i].size),
                 "record " << i);
  }

  // Bad event lines name their line; version 1 files keep rejecting kind 3.
  auto error_of = [](const std::string& text) { return trace_error_of<sys::LackeyTraceSource>(text, "t"); };
  BOOST_TEST(error_of("I  0401ab70,3\nSYSCALL[7,1](9) sys_mmap ( 0x0, 4096, 3 ) --> Success(0x1000)\n") ==
             "t:2: malformed syscall record (sys_mmap takes 6 arguments, not 3): "
             "'SYSCALL[7,1](9) sys_mmap ( 0x0, 4096, 3 ) --> Success(0x1000)'");
  BOOST_TEST(error_of("SYSCALL[7,1](11) sys_munmap ( 0xzz, 4096 )[sync] --> Success(0x0)\n")
                 .find("t:1: malformed syscall record (arguments must be numbers)") == 0u);
  BOOST_TEST(error_of("SYSCALL[7,1](11) sys_munmap ( 0x1000, 4096 )[sync] --> Success(zz)\n")
                 .find("t:1: malformed syscall record (sys_munmap has no Success(RESULT)") == 0u);
  BOOST_TEST(error_of("SYSCALL[x](11) sys_munmap ( 0x1000, 4096 )\n")
                 .find("t:1: malformed syscall record (expected SYSCALL[PID,TID](NR) NAME)") == 0u);
  auto bin_error_of = [](const std::string& bytes) { return trace_error_of<sys::BinaryTraceSource>(bytes, "t.bin"); };
  std::string v2(sys::kTraceMagic, 8);
  v2 += std::string("\2\0\0\0\0\0\0\0", 8) + std::string("\0\0\0\0\0\0\0\0", 8);
  BOOST_TEST(bin_error_of(v2 + "\x27") == "t.bin: record 0: unknown event code 9");
  BOOST_TEST(bin_error_of(v2 + "\x07\x80") == "t.bin: record 0: truncated address");
  BOOST_TEST(bin_error_of(v2 + "\x1f\x80\x80\x80\x80\x80") == "t.bin: record 0: truncated status");
  BOOST_TEST(bin_error_of(v2 + "\x1f\x80\x80\x80\x80\x10") == "t.bin: record 0: status wider than 32 bits");
  BOOST_TEST(bin_error_of(v2 + "\x23\x01\x02").empty());  // exec (no operands), then an access
}

// Version 3: a repeat record stands for more fetches of the last fetch's page (its address), and
// a cut marker is no item but what the source reports; both survive the writer. Older versions
// reject both encodings.
BOOST_AUTO_TEST_CASE(binary_trace_repeat_records_and_cut_marker) {
  std::vector<sys::WorkloadOp> v(4);
  v[0].va = 0x401000, v[0].access = pt::Access::Fetch, v[0].size = 3;
  v[1].va = 0x7ff000, v[1].access = pt::Access::Read;
  v[2].kind = sys::WorkloadOp::Repeat, v[2].len = 300;
  v[3].va = 0x402000, v[3].access = pt::Access::Fetch, v[3].size = 5;
  for (const char* out : {"rep.bin", "rep.bin.zst"}) {
    {
      sys::BinaryTraceWriter w(out);
      for (const auto& e : v) w.add(e);
      w.cut(AMMU_CUT_LIMIT);
      w.finish();
    }
    auto src = sys::open_trace(out);
    std::vector<sys::WorkloadOp> back;
    for (sys::WorkloadOp it; src->next(it);) back.push_back(it);
    BOOST_REQUIRE(back.size() == v.size());
    BOOST_TEST((back[2].kind == sys::WorkloadOp::Repeat && back[2].len == 300u && back[2].va == 0x401000u));
    BOOST_TEST((back[3].kind == sys::WorkloadOp::Access && back[3].va == 0x402000u && back[3].size == 5u));
    BOOST_TEST(src->cut() == uint32_t{AMMU_CUT_LIMIT});
  }
  auto bin_error_of = [](const std::string& bytes) { return trace_error_of<sys::BinaryTraceSource>(bytes, "t.bin"); };
  const auto header = [](char version) {
    return std::string(sys::kTraceMagic, 8) + std::string(1, version) + std::string(15, '\0');
  };
  BOOST_TEST(bin_error_of(header(3) + std::string("\x08\x00", 2)) == "t.bin: record 0: repeat count 0");
  BOOST_TEST(bin_error_of(header(3) + "\x27\x07") == "t.bin: record 0: unknown cut reason 7");
  BOOST_TEST(bin_error_of(header(2) + "\x08\x01") == "t.bin: record 0: reserved flag bits set");
  BOOST_TEST(bin_error_of(header(3) + "\x09\x01") ==
             "t.bin: record 0: reserved flag bits set");  // a read cannot repeat
  // A million cut markers (a fuzzed file) are skipped without a frame each: then the access.
  std::string many = header(3);
  for (int i = 0; i < 1000000; ++i) many += "\x27\x01";
  sys::BinaryTraceSource src(std::make_unique<std::istringstream>(many + "\x01\x02"), "t.bin");
  sys::WorkloadOp it;
  BOOST_TEST((src.next(it) && it.va == 1u && it.access == pt::Access::Read));
  BOOST_TEST(!src.next(it));
}

// A window (version 4): the header says so, the prologue's touch records and events come from
// prologue() in order up to the window marker, then next() reads the window; convert-style copies
// keep it; misplaced prologue records are errors naming the record; version 3 files still read.
BOOST_AUTO_TEST_CASE(binary_trace_window_prologue) {
  std::vector<sys::WorkloadOp> pro(3);
  pro[0].kind = sys::WorkloadOp::Touch, pro[0].va = 0x7000, pro[0].access = pt::Access::Read;
  pro[1].kind = sys::WorkloadOp::Munmap, pro[1].va = 0x7000, pro[1].len = 4096;
  pro[2].kind = sys::WorkloadOp::Touch, pro[2].va = 0x9000, pro[2].access = pt::Access::Write;
  sys::WorkloadOp acc;
  acc.va = 0x9008;
  for (const char* out : {"win.bin", "win.bin.zst"}) {
    {
      sys::BinaryTraceWriter w(out, true);
      for (const auto& e : pro) w.add(e);
      w.window(123456);
      w.add(acc);
      w.finish();
    }
    auto src = sys::open_trace(out);
    BOOST_TEST(src->windowed());
    sys::WorkloadOp it;
    BOOST_CHECK_THROW(src->next(it), std::logic_error);  // the prologue comes first
    std::vector<sys::WorkloadOp> back;
    while (src->prologue(it)) back.push_back(it);
    BOOST_TEST(same(back, pro));
    BOOST_TEST(back[1].len == 4096u);
    BOOST_TEST(src->skipped() == 123456u);
    BOOST_TEST((src->next(it) && it.kind == sys::WorkloadOp::Access && it.va == 0x9008u));
    BOOST_TEST(!src->next(it));
  }
  auto error_of = [](const std::string& bytes) {
    try {
      sys::BinaryTraceSource s(std::make_unique<std::istringstream>(bytes), "t.bin");
      sys::WorkloadOp it;
      while (s.prologue(it)) {
      }
      while (s.next(it)) {
      }
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const auto header = [](char version, char flags) {
    return std::string(sys::kTraceMagic, 8) + std::string(1, version) + std::string(3, '\0') + std::string(1, flags) +
           std::string(11, '\0');
  };
  // touch 0x1000 read (code 10: flag 0x2b), window 5 (code 11: 0x2f), a read of 0x2 (flag 1, zigzag 4)
  const std::string touch("\x2b\x80\x20\x00", 4);
  BOOST_TEST(error_of(header(4, 1) + touch + "\x2f\x05" + "\x01\x04").empty());
  BOOST_TEST(error_of(header(4, 1) + "\x01\x04") == "t.bin: record 0: an access record in a window's prologue");
  BOOST_TEST(error_of(header(4, 1) + "\x2f\x05" + touch) ==
             "t.bin: record 1: a prologue record outside a window's prologue");
  BOOST_TEST(error_of(header(4, 0) + touch) == "t.bin: record 0: a prologue record outside a window's prologue");
  BOOST_TEST(error_of(header(4, 1) + "\x2b\x80\x20\x02") == "t.bin: record 0: touch record: written is 2, not 0 or 1");
  BOOST_TEST(error_of(header(4, 2)) == "t.bin: unknown header flags");
  BOOST_TEST(error_of(header(3, 0) + touch) == "t.bin: record 0: unknown event code 10");
  // A program that ended before its window: the prologue ends with the file, the window is empty.
  sys::BinaryTraceSource early(std::make_unique<std::istringstream>(header(4, 1) + touch), "t.bin");
  sys::WorkloadOp it;
  BOOST_TEST((early.prologue(it) && it.kind == sys::WorkloadOp::Touch && it.va == 0x1000u));
  BOOST_TEST(!early.prologue(it));
  BOOST_TEST(!early.next(it));
}

// The decoder reads blocks from a BlockSource: records that straddle two blocks (here every read
// returns at most 5 bytes) decode as they do from one buffer, and the end is found.
BOOST_AUTO_TEST_CASE(binary_trace_from_a_block_source) {
  struct Chunks : sys::BlockSource {
    std::string bytes;
    size_t at = 0;
    size_t read(char* dst, size_t max) override {
      const size_t n = std::min({max, size_t(5), bytes.size() - at});
      std::memcpy(dst, bytes.data() + at, n);
      at += n;
      return n;
    }
  };
  std::vector<sys::WorkloadOp> want(70000);  // > one 64 KiB block when read from a file
  uint64_t x = 12345;
  for (auto& it : want) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    it.va = x >> (x & 63);  // deltas of every LEB128 length, both signs
    it.size = (x >> 8) % 3 ? 8 : 1 + (x >> 16) % 255;
    it.access = static_cast<pt::Access>((x >> 24) % 3);
  }
  const std::string path = "blocks.bin";
  {
    sys::BinaryTraceWriter w(path);
    for (const auto& it : want) w.add(it);
    w.finish();
  }
  auto chunks = std::make_unique<Chunks>();
  std::ifstream f(path, std::ios::binary);
  chunks->bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  for (int from_file = 0; from_file < 2; ++from_file) {
    std::unique_ptr<sys::Source> src;
    if (from_file)
      src = sys::open_trace(path);
    else
      src = std::make_unique<sys::BinaryTraceSource>(std::move(chunks), "chunks");
    BOOST_TEST(src->expected() == want.size());
    sys::WorkloadOp got;
    size_t n = 0;
    for (; src->next(got); ++n) {
      BOOST_REQUIRE(n < want.size());
      BOOST_REQUIRE(got.va == want[n].va);
      BOOST_REQUIRE(got.size == want[n].size);
      BOOST_REQUIRE((got.access == want[n].access));
    }
    BOOST_TEST(n == want.size());
  }
}

// TimeConv does sc_time(ns, SC_NS)'s and to_seconds()'s arithmetic inline: it must give the
// same time, to the tick, and the same double.
BOOST_AUTO_TEST_CASE(time_conv_equals_systemc) {
  const sys::TimeConv conv;
  uint64_t x = 99;
  unsigned checked = 0;
  for (double v : {0.0, 0.0005, 0.0004999999, 1.0, 13.75, 0.333, 1e-3, 2.5e-4, 1e9 + 0.0005}) {
    BOOST_TEST(conv.time(v) == sc_core::sc_time(v, sc_core::SC_NS), v);
    ++checked;
  }
  for (int i = 0; i < 200000; ++i, ++checked) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const double v = double(x >> 11) / double(1ull << 53) * double(1ull << (x % 40));  // 0 .. 2^40 ns
    const sc_core::sc_time t(v, sc_core::SC_NS);
    BOOST_REQUIRE(conv.time(v) == t);
    BOOST_REQUIRE(conv.seconds(t) == t.to_seconds());
  }
  BOOST_TEST(checked == 200009u);
}
