#include "sys/workload.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace agilemmu::sys {

const char* to_string(Item::Kind k) {
  switch (k) {
    case Item::Access: return "access";
    case Item::Remap: return "remap";
    case Item::Unmap: return "unmap";
    case Item::HostMigrate: return "host_migrate";
    case Item::ContextSwitch: return "context_switch";
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
    case Pattern::Sequential: off = s.cursor, s.cursor = (s.cursor + align) % r.size; break;
    case Pattern::Strided: off = s.cursor, s.cursor = (s.cursor + r.stride) % r.size; break;
    case Pattern::Uniform: off = rng_() % r.size; break;
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
  const size_t i = std::min<size_t>(std::lower_bound(weight_cdf_.begin(), weight_cdf_.end(), pick) - weight_cdf_.begin(),
                                    cfg_.regions.size() - 1);
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

LackeyTraceSource::LackeyTraceSource(const std::string& path, uint64_t limit) : path_(path), in_(path), limit_(limit) {
  if (!in_) throw std::runtime_error(path + ": cannot open trace");
}

bool LackeyTraceSource::next(Item& it) {
  if (pending_store_) {
    pending_store_ = false;
    it = store_;
    return true;
  }
  if (limit_ && produced_ >= limit_) return false;
  std::string line;
  while (std::getline(in_, line)) {
    ++line_no_;
    if (line.empty() || line.rfind("==", 0) == 0 || line.rfind("--", 0) == 0) continue;
    size_t p = 0;
    while (p < line.size() && line[p] == ' ') ++p;
    const auto bad = [&](const char* why) {
      return std::runtime_error(path_ + ":" + std::to_string(line_no_) + ": malformed lackey record (" + why + "): '" +
                                line + "'");
    };
    if (p >= line.size()) continue;
    const char op = line[p];
    if (op != 'I' && op != 'L' && op != 'S' && op != 'M') throw bad("expected I, L, S or M");
    size_t q = p + 1;
    while (q < line.size() && line[q] == ' ') ++q;
    const size_t comma = line.find(',', q);
    if (comma == std::string::npos || comma == q) throw bad("expected ADDRESS,SIZE");
    char* end = nullptr;
    const std::string addr = line.substr(q, comma - q);
    const unsigned long long a = std::strtoull(addr.c_str(), &end, 16);
    if (*end) throw bad("address is not hexadecimal");
    const std::string sz = line.substr(comma + 1);
    const unsigned long n = std::strtoul(sz.c_str(), &end, 10);
    if (sz.empty() || *end || n == 0 || n > 4096) throw bad("size must be a decimal 1..4096");
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

}  // namespace agilemmu::sys
