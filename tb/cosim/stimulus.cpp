#include "cosim/stimulus.h"

#include <agilemmu/pt/hash.h>

namespace agilemmu::cosim {

Stimulus::Stimulus(const StimulusOptions& o, uint64_t seed, uint64_t walk)
    : noise_(o.noise), state_(pt::mix64(seed * pt::kGoldenGamma ^ (walk + 0x5eed0f5717a1b5ull))) {
  // Cut points spread over a walk's length (1 + n·(L+1) cycles plus stalls: tens of cycles).
  if (o.reset_permille && next() % 1000 < o.reset_permille) reset_after_ = 1 + next() % 48;
}

// A Weyl sequence through mix64: cheap enough for a few draws per simulated cycle.
uint64_t Stimulus::next() {
  state_ += pt::kGoldenGamma;
  return pt::mix64(state_);
}

RequestNoise Stimulus::draw() {
  RequestNoise n{};
  n.va = next();
  n.hroot = next();
  n.groot = next();
  n.nroot = next();
  n.sroot = next();
  n.croot = next();
  const uint64_t b = next();
  n.access = b & 3;
  n.user = (b >> 2) & 1;
  n.mode = (b >> 3) & 3;
  n.croot_is_gpa = (b >> 5) & 1;
  return n;
}

}  // namespace agilemmu::cosim
