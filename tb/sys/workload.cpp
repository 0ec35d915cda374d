#include "sys/workload.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace agilemmu::sys {

const char* to_string(Item::Kind k) {
  switch (k) {
    case Item::Access:
      return "access";
    case Item::Remap:
      return "remap";
    case Item::Unmap:
      return "unmap";
    case Item::HostMigrate:
      return "host_migrate";
    case Item::ContextSwitch:
      return "context_switch";
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
      off = s.cursor, s.cursor = (s.cursor + align) % r.size;
      break;
    case Pattern::Strided:
      off = s.cursor, s.cursor = (s.cursor + r.stride) % r.size;
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

bool SyntheticSource::next(Item& it) {
  if (!pending_events_.empty()) {
    it = pending_events_.back();
    pending_events_.pop_back();
    return true;
  }
  if (issued_ >= cfg_.accesses || cfg_.regions.empty()) return false;
  // OS and hypervisor events: Bernoulli trials per access at the configured rates.
  std::uniform_real_distribution<double> u(0, 1000);
  for (const auto& r : cfg_.regions) {
    const std::pair<double, Item::Kind> ev[] = {
        {r.remap_rate, Item::Remap}, {r.unmap_rate, Item::Unmap}, {r.host_migrate_rate, Item::HostMigrate}};
    for (const auto& [rate, kind] : ev)
      if (rate > 0 && u(rng_) < rate) {
        Item e;
        e.kind = kind;
        e.va = r.base + (rng_() % std::max<uint64_t>(1, r.size / r.page_bytes)) * r.page_bytes;
        pending_events_.push_back(e);
      }
  }
  if (cfg_.context_switch_rate > 0 && u(rng_) < cfg_.context_switch_rate) {
    Item e;
    e.kind = Item::ContextSwitch;
    pending_events_.push_back(e);
  }
  if (!pending_events_.empty()) return next(it);
  const double pick = std::uniform_real_distribution<double>(0, 1)(rng_);
  const size_t i = std::min<size_t>(
      std::lower_bound(weight_cdf_.begin(), weight_cdf_.end(), pick) - weight_cdf_.begin(), cfg_.regions.size() - 1);
  const auto& r = cfg_.regions[i];
  it = Item{};
  it.va = address(i);
  it.size = cfg_.access_size;
  it.access = r.code ? pt::Access::Fetch
                     : (std::uniform_real_distribution<double>(0, 1)(rng_) < r.write_fraction ? pt::Access::Write
                                                                                              : pt::Access::Read);
  ++issued_;
  return true;
}

LackeyTraceSource::LackeyTraceSource(const std::string& path, uint64_t limit)
    : LackeyTraceSource(std::make_unique<std::ifstream>(path), path, limit) {}

LackeyTraceSource::LackeyTraceSource(std::unique_ptr<std::istream> in, std::string name, uint64_t limit)
    : path_(std::move(name)), in_(std::move(in)), limit_(limit) {
  if (!*in_) throw std::runtime_error(path_ + ": cannot open trace");
}

bool LackeyTraceSource::next(Item& it) {
  if (pending_store_) {
    pending_store_ = false;
    it = store_;
    return true;
  }
  if (limit_ && produced_ >= limit_) return false;
  std::string& line = line_;  // a member: its buffer is reused from line to line
  while (std::getline(*in_, line)) {
    ++line_no_;
    if (line.empty() || line.rfind("==", 0) == 0 || line.rfind("--", 0) == 0) continue;
    const char* const b = line.data();
    const size_t len = line.size();
    size_t p = 0;
    while (p < len && b[p] == ' ') ++p;
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
    it = Item{};
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

size_t IstreamByteSource::read(uint8_t* dst, size_t max) {
  in_->read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(max));
  return static_cast<size_t>(in_->gcount());
}

BinaryTraceSource::BinaryTraceSource(const std::string& path, uint64_t limit)
    : BinaryTraceSource(std::make_unique<std::ifstream>(path, std::ios::binary), path, limit) {}

namespace {
std::unique_ptr<ByteSource> checked(std::unique_ptr<std::istream> in, const std::string& name) {
  if (!*in) throw std::runtime_error(name + ": cannot open trace");
  return std::make_unique<IstreamByteSource>(std::move(in));
}
}  // namespace

BinaryTraceSource::BinaryTraceSource(std::unique_ptr<std::istream> in, std::string name, uint64_t limit)
    : BinaryTraceSource(checked(std::move(in), name), name, limit) {}

BinaryTraceSource::BinaryTraceSource(std::unique_ptr<ByteSource> in, std::string name, uint64_t limit)
    : path_(std::move(name)), in_(std::move(in)), buf_(64 * 1024), limit_(limit) {
  header();
}

int BinaryTraceSource::refill_get() {
  if (eof_) return -1;
  const size_t n = in_->read(buf_.data(), buf_.size());
  if (n == 0) {
    eof_ = true;
    return -1;
  }
  pos_ = buf_.data(), end_ = buf_.data() + n;
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
  if (version != kTraceVersion)
    throw std::runtime_error(path_ + ": binary trace version " + std::to_string(version) + ", this build reads " +
                             std::to_string(kTraceVersion));
}

bool BinaryTraceSource::next(Item& it) {
  if (limit_ && record_ >= limit_) return false;
  const int flags = get();
  if (flags < 0) {
    if (count_ && record_ != count_)
      trace_error(path_, record_,
                  "file ends after " + std::to_string(record_) + " of " + std::to_string(count_) + " records");
    return false;
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
  it = Item{};
  it.va = last_;
  it.access = (flags & 3) == 0 ? pt::Access::Fetch : (flags & 3) == 1 ? pt::Access::Read : pt::Access::Write;
  if (flags & 4) {
    const int sz = get();
    if (sz < 0) trace_error(path_, record_, "truncated size");
    if (sz == 0) trace_error(path_, record_, "size 0");
    it.size = static_cast<uint32_t>(sz);
  }
  ++record_;
  return true;
}

BinaryTraceWriter::BinaryTraceWriter(const std::string& path) : path_(path), out_(path, std::ios::binary) {
  if (!out_) throw std::runtime_error(path + ": cannot write trace");
  const uint32_t version = kTraceVersion, reserved = 0;
  const uint64_t count = 0;
  out_.write(kTraceMagic, 8);
  out_.write(reinterpret_cast<const char*>(&version), 4);
  out_.write(reinterpret_cast<const char*>(&reserved), 4);
  out_.write(reinterpret_cast<const char*>(&count), 8);
}

void BinaryTraceWriter::add(const Item& it) {
  const uint8_t kind = it.access == pt::Access::Fetch ? 0 : it.access == pt::Access::Read ? 1 : 2;
  const bool sized = it.size != 8;
  if (sized && (it.size == 0 || it.size > 255)) throw std::runtime_error(path_ + ": access size must be 1..255");
  out_.put(static_cast<char>(kind | (sized ? 4 : 0)));
  const int64_t delta = static_cast<int64_t>(it.va - last_);
  uint64_t z = (static_cast<uint64_t>(delta) << 1) ^ static_cast<uint64_t>(delta >> 63);
  do {
    const uint8_t b = z & 0x7f;
    z >>= 7;
    out_.put(static_cast<char>(b | (z ? 0x80 : 0)));
  } while (z);
  if (sized) out_.put(static_cast<char>(it.size));
  last_ = it.va;
  ++n_;
}

void BinaryTraceWriter::finish() {
  out_.seekp(16);
  out_.write(reinterpret_cast<const char*>(&n_), 8);
  out_.close();
  if (!out_) throw std::runtime_error(path_ + ": write failed");
}

std::unique_ptr<Source> open_trace(const std::string& path, uint64_t limit) {
  // Opened once and told apart by one peeked character, never by reading ahead and reopening:
  // the trace may be a pipe (bench/rss_bench.sh), where what a probe reads is gone. No lackey
  // line starts with the magic's 'A', so a file that does is read (and checked) as binary.
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) throw std::runtime_error(path + ": cannot open trace");
  if (in->peek() == kTraceMagic[0]) return std::make_unique<BinaryTraceSource>(std::move(in), path, limit);
  return std::make_unique<LackeyTraceSource>(std::move(in), path, limit);
}

}  // namespace agilemmu::sys
