#include "cosim/unit_traffic.h"

#include <algorithm>

namespace agilemmu::cosim::unit {
namespace {

uint64_t mix64(uint64_t x) {
  x ^= x >> 30, x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27, x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The random images restrict permissions mostly near the leaves (entries few walks share). So
// that a PWC hit below a restricting entry matters (the cached permissions are those accumulated
// from the root), one in 512 requests (by seed) has RW or US cleared in the level-2
// first-dimension entry of its path, the same on both sides' images.
void restrict_upper(Image& img, const pt::Format& fmt, const std::vector<pt::WalkRequest>& reqs, uint64_t seed) {
  pt::Walk w;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const uint64_t h = hash3(seed ^ 0xa11, i, 3);
    if (h % 512) continue;
    w.start(fmt, img.roots(), reqs[i]);
    const pt::WalkResult& r = pt::run_unperformed(w, [&](const pt::MemRef& m) { return img.mem().read64(m.addr); });
    for (unsigned k = 0; k < r.nrefs && k < pt::kMaxRefs; ++k) {
      const pt::MemRef& m = r.refs[k];
      if (m.write || m.level != 2 || m.table == pt::Table::Nested) continue;
      img.mem().write64(m.addr, img.mem().read64(m.addr) & ~((h >> 8) & 1 ? pt::pte::RW : pt::pte::US));
      break;
    }
  }
}

}  // namespace

uint64_t hash3(uint64_t a, uint64_t b, uint64_t c) { return mix64(mix64(mix64(a) ^ b) ^ c); }

Traffic::Traffic(const Options& o, unsigned walkers, const std::vector<pt::WalkRequest>& reqs)
    : o_(o), w_(walkers), m_(2 * walkers + 4), reqs_(reqs), lane_(reqs.size(), 0), lane_busy_(walkers, false) {}

int64_t Traffic::offer(uint64_t c) {
  if (next_ >= reqs_.size() || in_flight_ >= w_ || c % m_) return -1;
  if (hash3(o_.seed, c, 1) % 100 >= o_.load) return -1;
  const uint64_t key = page_key(reqs_[next_]);
  if (per_page_[key] >= 2) return -1;
  unsigned l = 0;
  while (lane_busy_[l]) ++l;
  lane_busy_[l] = true;
  lane_[next_] = l;
  ++per_page_[key];
  ++in_flight_;
  max_in_flight_ = std::max(max_in_flight_, in_flight_);
  return static_cast<int64_t>(next_++);
}

void Traffic::completed(uint64_t id) {
  lane_busy_[lane_[id]] = false;
  --per_page_[page_key(reqs_[id])];
  --in_flight_;
}

uint64_t Traffic::response_cycle(uint64_t id, uint64_t accept, uint64_t addr) const {
  const uint64_t h = hash3(o_.seed ^ 0x5eed, addr, accept);
  const unsigned p = h % 100;
  uint64_t extra = p < 55 ? 0 : p < 93 ? 1 + (h >> 8) % 6 : 10 + (h >> 8) % 40;
  uint64_t r = accept + o_.latency + extra;
  const uint64_t want = (2 * lane_[id] + 3) % m_;
  r += (want + m_ - r % m_) % m_;
  return r;
}

bool Traffic::mem_ready(uint64_t c, unsigned port) const {
  return !o_.mem_stall || hash3(o_.seed ^ 0x3e3, c, 11 + port) % 100 >= o_.mem_stall;
}
bool Traffic::rsp_ready(uint64_t c) const {
  return !o_.rsp_stall || hash3(o_.seed ^ 0x7e5, c, 13) % 100 >= o_.rsp_stall;
}
bool Traffic::flush_after(uint64_t c) const { return hash3(o_.seed ^ 0xf1u, c, 7) % 1000 < o_.flush_permille; }

void prepare_image(Image& img, const pt::Format& fmt, const std::vector<pt::WalkRequest>& reqs, uint64_t seed) {
  restrict_upper(img, fmt, reqs, seed);
}

void perform_write(pt::PhysMem& mem, uint64_t addr, uint64_t data) {
  mem.write64(addr, mem.read64(addr) | (data & (pt::pte::A | pt::pte::D)));
}

FinalImage final_image(const pt::PhysMem& mem, const std::vector<uint64_t>& written) {
  FinalImage f;
  for (uint64_t a : written) f[a] = mem.read64(a);
  return f;
}

}  // namespace agilemmu::cosim::unit
