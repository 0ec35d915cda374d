#include "sys/workload.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace agilemmu::sys {

const char* to_string(WorkloadOp::Kind k) {
  switch (k) {
    case WorkloadOp::Access:
      return "access";
    case WorkloadOp::Remap:
      return "remap";
    case WorkloadOp::Unmap:
      return "unmap";
    case WorkloadOp::HostMigrate:
      return "host_migrate";
    case WorkloadOp::ContextSwitch:
      return "context_switch";
    case WorkloadOp::Switch:
      return "switch";
    case WorkloadOp::End:
      return "end";
    case WorkloadOp::Repeat:
      return "repeat";
    case WorkloadOp::Touch:
      return "touch";
    case WorkloadOp::Mmap:
      return "mmap";
    case WorkloadOp::Munmap:
      return "munmap";
    case WorkloadOp::Mremap:
      return "mremap";
    case WorkloadOp::Brk:
      return "brk";
    case WorkloadOp::Mprotect:
      return "mprotect";
    case WorkloadOp::Madvise:
      return "madvise";
    case WorkloadOp::Exit:
      return "exit";
    case WorkloadOp::Exec:
      return "exec";
  }
  return "?";
}

SyntheticSource::SyntheticSource(const WorkloadConfig& cfg) : cfg_(cfg), st_(cfg.regions.size()), rng_(cfg.seed) {
  double total = 0;
  for (const auto& r : cfg_.regions) total += r.weight;
  double acc = 0;
  for (size_t i = 0; i < cfg_.regions.size(); ++i) {
    const auto& r = cfg_.regions[i];
    acc += r.weight;
    weight_cdf_.push_back(total > 0 ? acc / total : double(i + 1) / cfg_.regions.size());
    const uint64_t pages = std::max<uint64_t>(1, r.size / 4096);
    if (r.pattern == Pattern::Zipf) {
      auto& cdf = st_[i].zipf_cdf;
      cdf.resize(pages);
      double s = 0;
      for (uint64_t k = 0; k < pages; ++k) cdf[k] = (s += 1.0 / std::pow(double(k + 1), r.skew));
      for (auto& v : cdf) v /= s;
    } else if (r.pattern == Pattern::PointerChase) {
      // One random cycle through all pages (Sattolo's algorithm): every step is a dependent
      // jump to a page the recent ones say nothing about.
      auto& c = st_[i].chase;
      c.resize(pages);
      for (uint32_t k = 0; k < pages; ++k) c[k] = k;
      for (uint64_t k = pages - 1; k > 0; --k) std::swap(c[k], c[rng_() % k]);
    }
  }
}

uint64_t SyntheticSource::address(size_t i) {
  const auto& r = cfg_.regions[i];
  State& s = st_[i];
  const uint64_t align = cfg_.access_size;
  uint64_t off = 0;
  switch (r.pattern) {
    case Pattern::Sequential:
      off = s.cursor;
      s.cursor = (s.cursor + align) % r.size;
      break;
    case Pattern::Strided:
      off = s.cursor;
      s.cursor = (s.cursor + r.stride) % r.size;
      break;
    case Pattern::Uniform:
      off = rng_() % r.size;
      break;
    case Pattern::Zipf: {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
      const uint64_t page = std::lower_bound(s.zipf_cdf.begin(), s.zipf_cdf.end(), u) - s.zipf_cdf.begin();
      off = std::min<uint64_t>(page, s.zipf_cdf.size() - 1) * 4096 + rng_() % 4096;
      break;
    }
    case Pattern::PointerChase:
      s.chase_at = s.chase[s.chase_at];
      off = uint64_t(s.chase_at) * 4096 + (rng_() % 64) * 64;
      break;
  }
  off = std::min(off, r.size - align);
  return r.base + off / align * align;
}

bool SyntheticSource::next(WorkloadOp& it) {
  if (!pending_events_.empty()) {
    it = pending_events_.back();
    pending_events_.pop_back();
    return true;
  }
  if (issued_ >= cfg_.accesses || cfg_.regions.empty()) return false;
  // OS and hypervisor events: Bernoulli trials per access at the configured rates.
  std::uniform_real_distribution<double> u(0, 1000);
  for (const auto& r : cfg_.regions) {
    const std::pair<double, WorkloadOp::Kind> ev[] = {{r.remap_rate, WorkloadOp::Remap},
                                                      {r.unmap_rate, WorkloadOp::Unmap},
                                                      {r.host_migrate_rate, WorkloadOp::HostMigrate}};
    for (const auto& [rate, kind] : ev)
      if (rate > 0 && u(rng_) < rate) {
        WorkloadOp e;
        e.kind = kind;
        e.va = r.base + (rng_() % std::max<uint64_t>(1, r.size / r.page_bytes)) * r.page_bytes;
        pending_events_.push_back(e);
      }
  }
  if (cfg_.context_switch_rate > 0 && u(rng_) < cfg_.context_switch_rate) {
    WorkloadOp e;
    e.kind = WorkloadOp::ContextSwitch;
    pending_events_.push_back(e);
  }
  if (!pending_events_.empty()) return next(it);
  const double pick = std::uniform_real_distribution<double>(0, 1)(rng_);
  const size_t i = std::min<size_t>(
      std::lower_bound(weight_cdf_.begin(), weight_cdf_.end(), pick) - weight_cdf_.begin(), cfg_.regions.size() - 1);
  const auto& r = cfg_.regions[i];
  it = WorkloadOp{};
  it.va = address(i);
  it.size = cfg_.access_size;
  it.access = r.code ? pt::Access::Fetch
                     : (std::uniform_real_distribution<double>(0, 1)(rng_) < r.write_fraction ? pt::Access::Write
                                                                                              : pt::Access::Read);
  ++issued_;
  return true;
}

LackeyTraceSource::LackeyTraceSource(const std::string& path, uint64_t limit)
    : LackeyTraceSource(std::make_unique<BlockIStream>(open_trace_blocks(path)), path, limit) {}

LackeyTraceSource::LackeyTraceSource(std::unique_ptr<std::istream> in, std::string name, uint64_t limit)
    : path_(std::move(name)), in_(std::move(in)), limit_(limit), sys_(path_) {
  if (!*in_) throw std::runtime_error(path_ + ": cannot open trace");
}

bool LackeyTraceSource::next(WorkloadOp& it) {
  if (pending_store_) {
    pending_store_ = false;
    it = store_;
    return true;
  }
  if (limit_ && produced_ >= limit_) return false;
  std::string& line = line_;  // a member: its buffer is reused from line to line
  while (std::getline(*in_, line)) {
    ++line_no_;
    if (line.empty()) continue;
    const char* const b = line.data();
    const size_t len = line.size();
    size_t p = 0;
    while (p < len && b[p] == ' ') ++p;
    // Valgrind's own lines: headers, and with --trace-syscalls=yes the program's system calls,
    // of which the memory-map calls become events.
    // (First characters tested before the prefixes: this runs for every line of a long trace.)
    const char c0 = b[0], cp = p < len ? b[p] : ' ';
    if ((c0 == '=' && line.rfind("==", 0) == 0) || (c0 == 'S' && line.rfind("SYSCALL[", 0) == 0) ||
        (cp == '-' && line.compare(p, 3, "-->") == 0)) {
      if (!sys_.line(line, line_no_, it)) continue;
      ++produced_;
      return true;
    }
    if (c0 == '-' && line.rfind("--", 0) == 0) continue;
    const auto bad = [&](const char* why) {
      return std::runtime_error(path_ + ":" + std::to_string(line_no_) + ": malformed lackey record (" + why + "): '" +
                                line + "'");
    };
    if (p >= len) continue;
    const char op = b[p];
    if (op != 'I' && op != 'L' && op != 'S' && op != 'M') throw bad("expected I, L, S or M");
    size_t q = p + 1;
    while (q < len && b[q] == ' ') ++q;
    const void* c = std::memchr(b + q, ',', len - q);
    if (!c || c == b + q) throw bad("expected ADDRESS,SIZE");
    const size_t comma = static_cast<const char*>(c) - b;
    // Digits only, parsed here: strtoull would also take a sign, spaces, a 0x prefix and overflow.
    uint64_t a = 0;
    unsigned significant = 0;
    for (size_t i = q; i < comma; ++i) {
      const char ch = b[i];
      const int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
      if (d < 0) throw bad("address is not hexadecimal");
      if (significant || d) ++significant;
      a = a << 4 | static_cast<uint64_t>(d);
    }
    // (every character is checked first, as before: a non-hex character wins over the width)
    if (significant > 16) throw bad("address is wider than 64 bits");
    const size_t sz_len = len - comma - 1;
    if (sz_len == 0 || sz_len > 4) throw bad("size must be a decimal 1..4096");
    unsigned long n = 0;
    for (size_t i = comma + 1; i < len; ++i) {
      if (b[i] < '0' || b[i] > '9') throw bad("size must be a decimal 1..4096");
      n = n * 10 + static_cast<unsigned long>(b[i] - '0');
    }
    if (n == 0 || n > 4096) throw bad("size must be a decimal 1..4096");
    it = WorkloadOp{};
    it.va = a;
    it.size = static_cast<uint32_t>(n);
    it.access = op == 'I' ? pt::Access::Fetch : op == 'S' ? pt::Access::Write : pt::Access::Read;
    if (op == 'M') {  // modify: a load then a store of the same bytes
      store_ = it;
      store_.access = pt::Access::Write;
      pending_store_ = true;
    }
    ++produced_;
    return true;
  }
  return false;
}

namespace {
[[noreturn]] void trace_error(const std::string& path, uint64_t record, const std::string& why) {
  throw std::runtime_error(path + ": record " + std::to_string(record) + ": " + why);
}
}  // namespace

size_t IstreamBlockSource::read(char* dst, size_t max) {
  in_->read(dst, static_cast<std::streamsize>(max));
  return static_cast<size_t>(in_->gcount());
}

// The file's blocks (decompressed when it is zstd) go straight into the decoder's buffer.
BinaryTraceSource::BinaryTraceSource(const std::string& path, uint64_t limit)
    : BinaryTraceSource(open_trace_blocks(path), path, limit) {}

namespace {
std::unique_ptr<BlockSource> checked(std::unique_ptr<std::istream> in, const std::string& name) {
  if (!*in) throw std::runtime_error(name + ": cannot open trace");
  return std::make_unique<IstreamBlockSource>(std::move(in));
}
}  // namespace

BinaryTraceSource::BinaryTraceSource(std::unique_ptr<std::istream> in, const std::string& name, uint64_t limit)
    : BinaryTraceSource(checked(std::move(in), name), name, limit) {}

BinaryTraceSource::BinaryTraceSource(std::unique_ptr<BlockSource> in, std::string name, uint64_t limit)
    : path_(std::move(name)), in_(std::move(in)), buf_(kBlockBytes), limit_(limit) {
  header();
}

int BinaryTraceSource::refill_get() {
  if (eof_) return -1;
  const size_t n = in_->read(reinterpret_cast<char*>(buf_.data()), buf_.size());
  if (n == 0) {
    eof_ = true;
    return -1;
  }
  pos_ = buf_.data();
  end_ = buf_.data() + n;
  return *pos_++;
}

void BinaryTraceSource::header() {
  uint8_t h[24];
  size_t got = 0;
  for (int b; got < sizeof h && (b = get()) >= 0;) h[got++] = static_cast<uint8_t>(b);
  if (got < 8 || std::memcmp(h, kTraceMagic, 8) != 0)
    throw std::runtime_error(path_ + ": not an agilemmu binary trace (bad magic)");
  if (got < sizeof h) throw std::runtime_error(path_ + ": truncated header");
  uint32_t version = 0;
  std::memcpy(&version, h + 8, 4);
  std::memcpy(&count_, h + 16, 8);
  if (version < kTraceVersionMin || version > kTraceVersion)
    throw std::runtime_error(path_ + ": binary trace version " + std::to_string(version) + ", this build reads " +
                             std::to_string(kTraceVersionMin) + " to " + std::to_string(kTraceVersion));
  version_ = version;
  uint32_t hflags = 0;
  std::memcpy(&hflags, h + 12, 4);
  if (version_ >= 4) {
    if (hflags & ~AMMU_HEADER_WINDOWED) throw std::runtime_error(path_ + ": unknown header flags");
    windowed_ = in_prologue_ = (hflags & AMMU_HEADER_WINDOWED) != 0;
  }
}

bool BinaryTraceSource::prologue(WorkloadOp& it) {
  while (in_prologue_) {
    const int flags = get();
    if (flags < 0) {  // the program ended before its window began: the window is empty
      in_prologue_ = false;
      return false;
    }
    if ((flags & 3) != 3) trace_error(path_, record_, "an access record in a window's prologue");
    const bool item = event(flags, it);
    ++record_;
    if (item) return true;
  }
  return false;
}

bool BinaryTraceSource::next(WorkloadOp& it) {
  if (in_prologue_) throw std::logic_error(path_ + ": a windowed trace's prologue is read before its window");
  int flags;
  for (;;) {  // (a cut marker is no item: the record after it is read, in this loop, not recursively)
    if (limit_ && record_ >= limit_) return false;
    flags = get();
    if (flags < 0) {
      if (count_ && record_ != count_)
        trace_error(path_, record_,
                    "file ends after " + std::to_string(record_) + " of " + std::to_string(count_) + " records");
      return false;
    }
    if ((flags & 3) != 3 || version_ < 2) break;
    const bool item = event(flags, it);  // a memory-map event (bits 7:2: its code), or the cut marker
    ++record_;
    if (item) return true;
  }
  if (flags == (AMMU_KIND_FETCH | AMMU_FLAG_REPEAT) && version_ >= 3) {  // more fetches of the last one's page
    it = WorkloadOp{};
    it.kind = WorkloadOp::Repeat;
    it.va = last_fetch_;
    it.len = uleb("repeat count");
    if (it.len == 0) trace_error(path_, record_, "repeat count 0");
    ++record_;
    return true;
  }
  if (flags & 0xf8) trace_error(path_, record_, "reserved flag bits set");
  if ((flags & 3) == 3) trace_error(path_, record_, "bad access kind");
  uint64_t z = 0;
  for (unsigned shift = 0;; shift += 7) {
    const int b = get();
    if (b < 0) trace_error(path_, record_, "truncated address");
    // The tenth byte holds bit 63 only; more would be silently shifted out.
    if (shift > 63 || (shift == 63 && (b & 0x7e))) trace_error(path_, record_, "address delta longer than 64 bits");
    z |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  const int64_t delta = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  last_ += static_cast<uint64_t>(delta);
  it = WorkloadOp{};
  it.va = last_;
  it.access = (flags & 3) == 0 ? pt::Access::Fetch : (flags & 3) == 1 ? pt::Access::Read : pt::Access::Write;
  if ((flags & 3) == 0) last_fetch_ = last_;
  if (flags & 4) {
    const int sz = get();
    if (sz < 0) trace_error(path_, record_, "truncated size");
    if (sz == 0) trace_error(path_, record_, "size 0");
    it.size = static_cast<uint32_t>(sz);
  }
  ++record_;
  return true;
}

uint64_t BinaryTraceSource::uleb(const char* what) {
  uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    const int b = get();
    if (b < 0) trace_error(path_, record_, std::string("truncated ") + what);
    if (shift > 63 || (shift == 63 && (b & 0x7e)))
      trace_error(path_, record_, std::string(what) + " longer than 64 bits");
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}

namespace {
// The operands of each memory-map event record, in order (tb/TRACE_FORMAT.md): the reader and the
// writer both follow this one table. A field is 64 bits wide, or 32 (then checked on reading).
struct EventOperand {
  uint64_t WorkloadOp::*wide;
  uint32_t WorkloadOp::*narrow;
  const char* name;
};
struct EventOperands {
  const EventOperand* ops;
  size_t n;
  const EventOperand* begin() const { return ops; }
  const EventOperand* end() const { return ops + n; }
};
EventOperands event_operands(WorkloadOp::Kind k) {
  static constexpr EventOperand kVa{&WorkloadOp::va, nullptr, "address"}, kLen{&WorkloadOp::len, nullptr, "length"},
      kVa2{&WorkloadOp::va2, nullptr, "new address"}, kLen2{&WorkloadOp::len2, nullptr, "new length"},
      kProt{nullptr, &WorkloadOp::prot, "prot"}, kFlags{nullptr, &WorkloadOp::flags, "flags"},
      kStatus{nullptr, &WorkloadOp::prot, "status"};
  static constexpr EventOperand kMmap[] = {kVa, kLen, kProt, kFlags}, kMunmap[] = {kVa, kLen},
                                kMremap[] = {kVa, kLen, kVa2, kLen2}, kBrk[] = {kVa}, kProtect[] = {kVa, kLen, kProt},
                                kExit[] = {kStatus};
  switch (k) {
    case WorkloadOp::Mmap:
      return {kMmap, 4};
    case WorkloadOp::Munmap:
      return {kMunmap, 2};
    case WorkloadOp::Mremap:
      return {kMremap, 4};
    case WorkloadOp::Brk:
      return {kBrk, 1};
    case WorkloadOp::Mprotect:
    case WorkloadOp::Madvise:  // its prot is the advice
      return {kProtect, 3};
    case WorkloadOp::Exit:
      return {kExit, 1};
    default:  // Exec: no operands
      return {nullptr, 0};
  }
}
}  // namespace

// Event records carry absolute values and leave the access address delta's base alone, so
// access records encode exactly as in version 1.
bool BinaryTraceSource::event(int flags, WorkloadOp& it) {
  const unsigned code = unsigned(flags) >> 2;
  if (code == AMMU_EV_CUT && version_ >= 3) {  // not an item: the source remembers it
    const uint64_t why = uleb("cut reason");
    if (why < AMMU_CUT_LIMIT || why > AMMU_CUT_KILLED)
      trace_error(path_, record_, "unknown cut reason " + std::to_string(why));
    cut_ = static_cast<uint32_t>(why);
    return false;
  }
  if ((code == AMMU_EV_TOUCH || code == AMMU_EV_WINDOW) && version_ >= 4) {
    if (!in_prologue_) trace_error(path_, record_, "a prologue record outside a window's prologue");
    if (code == AMMU_EV_WINDOW) {  // not an item: the prologue ends
      skipped_ = uleb("skipped accesses");
      in_prologue_ = false;
      return false;
    }
    it = WorkloadOp{};
    it.kind = WorkloadOp::Touch;
    it.va = uleb("page address");
    const uint64_t written = uleb("written");
    if (written > 1)
      trace_error(path_, record_, "touch record: written is " + std::to_string(written) + ", not 0 or 1");
    it.access = written ? pt::Access::Write : pt::Access::Read;
    return true;
  }
  if (code == 0 || code > kEventKinds) trace_error(path_, record_, "unknown event code " + std::to_string(code));
  it = WorkloadOp{};
  it.kind = static_cast<WorkloadOp::Kind>(WorkloadOp::Mmap + code - 1);
  const auto u32 = [&](const char* what) {
    const uint64_t v = uleb(what);
    if (v > 0xffffffffu) trace_error(path_, record_, std::string(what) + " wider than 32 bits");
    return static_cast<uint32_t>(v);
  };
  for (const EventOperand& op : event_operands(it.kind)) {
    if (op.wide)
      it.*op.wide = uleb(op.name);
    else
      it.*op.narrow = u32(it.kind == WorkloadOp::Madvise ? "advice" : op.name);
  }
  // Version 3: a new program image starts its deltas from 0 (the capture tool's next instance
  // cannot know the last address of the image before).
  if (it.kind == WorkloadOp::Exec && version_ >= 3) last_ = last_fetch_ = 0;
  return true;
}

BinaryTraceWriter::BinaryTraceWriter(const std::string& path, bool windowed)
    : path_(path), out_(open_trace_sink(path)) {
  unsigned char h[AMMU_TRACE_HEADER_BYTES];
  // The record count is 0 (unknown) until finish(), which patches it in where the file allows.
  put(h, ammu_put_header(h, windowed ? AMMU_HEADER_WINDOWED : 0));
}

void BinaryTraceWriter::window(uint64_t skipped) {
  unsigned char r[AMMU_MAX_RECORD_BYTES];
  put(r, ammu_put_event(r, AMMU_EV_WINDOW, &skipped, 1));
  ++n_;
}

BinaryTraceWriter::~BinaryTraceWriter() = default;

void BinaryTraceWriter::put(const unsigned char* b, const unsigned char* e) {
  buf_.append(reinterpret_cast<const char*>(b), static_cast<size_t>(e - b));
  if (buf_.size() >= (1u << 16)) {
    out_->write(buf_.data(), buf_.size());
    buf_.clear();
  }
}

void BinaryTraceWriter::add_event(const WorkloadOp& it) {
  uint64_t ops[4];
  unsigned n = 0;
  for (const EventOperand& op : event_operands(it.kind)) ops[n++] = op.wide ? it.*op.wide : it.*op.narrow;
  unsigned char r[AMMU_MAX_RECORD_BYTES];
  put(r, ammu_put_event(r, 1u + it.kind - WorkloadOp::Mmap, ops, n));
  if (it.kind == WorkloadOp::Exec) last_ = 0;  // (version 3: the delta base restarts with the image)
  ++n_;
}

void BinaryTraceWriter::cut(uint32_t reason) {
  const uint64_t op = reason;
  unsigned char r[AMMU_MAX_RECORD_BYTES];
  put(r, ammu_put_event(r, AMMU_EV_CUT, &op, 1));
  ++n_;
}

void BinaryTraceWriter::add(const WorkloadOp& it) {
  if (is_mm_event(it.kind)) return add_event(it);
  unsigned char r[AMMU_MAX_RECORD_BYTES];
  if (it.kind == WorkloadOp::Touch) {
    const uint64_t ops[2] = {it.va, it.access == pt::Access::Write ? 1u : 0u};
    put(r, ammu_put_event(r, AMMU_EV_TOUCH, ops, 2));
    ++n_;
    return;
  }
  if (it.kind == WorkloadOp::Repeat) {
    if (it.len == 0) throw std::runtime_error(path_ + ": a repeat record needs a count >= 1");
    put(r, ammu_put_repeat(r, it.len));
    ++n_;
    return;
  }
  if (it.kind != WorkloadOp::Access)
    throw std::runtime_error(path_ + ": a trace cannot carry synthetic " + std::string(to_string(it.kind)) + " events");
  const unsigned kind = it.access == pt::Access::Fetch  ? AMMU_KIND_FETCH
                        : it.access == pt::Access::Read ? AMMU_KIND_READ
                                                        : AMMU_KIND_WRITE;
  if (it.size == 0 || it.size > 255) throw std::runtime_error(path_ + ": access size must be 1..255");
  put(r, ammu_put_access(r, &last_, kind, it.va, it.size));
  ++n_;
}

void BinaryTraceWriter::finish() {
  out_->write(buf_.data(), buf_.size());
  buf_.clear();
  // A plain file gets its record count; a compressed or piped one keeps 0 (unknown).
  out_->patch(16, reinterpret_cast<const char*>(&n_), 8);
  out_->finish();
}

std::unique_ptr<Source> open_trace(const std::string& path, uint64_t limit) {
  // Opened once and told apart by one peeked character, never by reading ahead and reopening:
  // the trace may be a pipe (bench/rss_bench.sh), where what a probe reads is gone. No lackey
  // line starts with the magic's 'A', so a file that does is read (and checked) as binary. A zstd
  // stream is recognised by its own magic below this and decompressed on the fly.
  auto in = std::make_unique<BlockIStream>(open_trace_blocks(path));
  if (in->peek() == kTraceMagic[0]) return std::make_unique<BinaryTraceSource>(std::move(in), path, limit);
  return std::make_unique<LackeyTraceSource>(std::move(in), path, limit);
}

}  // namespace agilemmu::sys
