// Hostile stimulus on the walker's request side, beside the interconnect's backpressure
// (Scoreboard::Server): what the request inputs and roots carry while the walker must not look
// at them, resets in the middle of walks, and the seed of random initial register values. Drawn
// from (seed, walk number), so a walk replays with the same stimulus. A coverage model can count
// what is drawn here (resets per walk, noise cycles) without touching the driver.
#pragma once
#include <cstdint>

namespace agilemmu::cosim {

struct StimulusOptions {
  // Every request input (req_va, req_access, req_user, req_mode) and every root changes to a
  // random value in every cycle but the request handshake: only the values sampled with the
  // request may matter (a walker using a live nroot later in the walk is a mismatch).
  bool noise = false;
  // Walks (per mille) cut by rst_n pulled low at a random cycle after the request handshake; the
  // walker must then be idle, and the same request is run again and compared in full.
  unsigned reset_permille = 0;
  // Random initial values of every register (Verilator --x-initial unique, randReset(2)),
  // seeded from this and the image number; 0: all zeros.
  uint64_t random_init = 0;
};

// The value of every request-side input for one cycle.
struct RequestNoise {
  uint64_t va, hroot, groot, nroot, sroot, croot;
  uint8_t access, user, mode, croot_is_gpa;  // raw port values, any encoding (2 or 1 bits)
};

// One walk's stimulus.
class Stimulus {
 public:
  Stimulus(const StimulusOptions& o, uint64_t seed, uint64_t walk);
  bool noise() const { return noise_; }
  RequestNoise draw();
  // Cycles after the request handshake edge at which rst_n goes low (0: none).
  uint64_t reset_after() const { return reset_after_; }
  void cancel_reset() { reset_after_ = 0; }

 private:
  uint64_t next();
  bool noise_;
  uint64_t state_;
  uint64_t reset_after_ = 0;
};

}  // namespace agilemmu::cosim
