// Request producers (plain C++, no SystemC): what the traffic-generator CPU issues. Split from
// the SystemC issuer as DRAMSys splits its traffic generators: a producer decides *what*, the
// issuer decides *when*.
#pragma once
#include <cstdint>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <agilemmu/pt/walk.h>

namespace agilemmu::sys {

struct Item {
  enum Kind : uint8_t { Access, Remap, Unmap, HostMigrate, ContextSwitch } kind = Access;
  uint64_t va = 0;
  uint32_t size = 8;
  pt::Access access = pt::Access::Read;
  bool user = true;
};
const char* to_string(Item::Kind);

class Source {
 public:
  virtual ~Source() = default;
  virtual bool next(Item& it) = 0;
  // Accesses this source will produce, if known (for progress), else 0.
  virtual uint64_t expected() const { return 0; }
};

enum class Pattern : uint8_t { Sequential, Strided, Uniform, Zipf, PointerChase };
bool parse_pattern(const std::string&, Pattern&);

struct RegionTraffic {
  std::string name;
  uint64_t base = 0, size = 0;
  uint64_t page_bytes = 4096;
  bool code = false;  // instruction fetches instead of loads/stores
  Pattern pattern = Pattern::Uniform;
  uint64_t stride = 64;         // strided: bytes between accesses
  double skew = 0.99;           // zipf: exponent over the region's pages
  double weight = 1;            // share of the accesses
  double write_fraction = 0.3;  // data regions: stores among accesses
  // OS/hypervisor events per 1000 accesses of the whole workload, on random pages of this region
  double remap_rate = 0, unmap_rate = 0, host_migrate_rate = 0;
};

struct WorkloadConfig {
  uint64_t accesses = 100000;
  uint32_t access_size = 8;
  double context_switch_rate = 0;  // per 1000 accesses
  std::vector<RegionTraffic> regions;
  uint64_t seed = 1;
};

class SyntheticSource : public Source {
 public:
  explicit SyntheticSource(const WorkloadConfig& cfg);
  bool next(Item& it) override;
  uint64_t expected() const override { return cfg_.accesses; }

 private:
  struct State {
    uint64_t cursor = 0;
    std::vector<double> zipf_cdf;  // over pages
    std::vector<uint32_t> chase;   // pointer chase: next page index
    uint32_t chase_at = 0;
  };
  uint64_t address(size_t r);
  WorkloadConfig cfg_;
  std::vector<State> st_;
  std::vector<double> weight_cdf_;
  std::mt19937_64 rng_;
  uint64_t issued_ = 0;
  std::vector<Item> pending_events_;
};

// valgrind lackey --trace-mem=yes text: "I  addr,size", " L addr,size", " S addr,size",
// " M addr,size" (M = load then store). Streamed; other lines (==pid== ...) are skipped.
class LackeyTraceSource : public Source {
 public:
  explicit LackeyTraceSource(const std::string& path, uint64_t limit = 0);
  // Reads from any stream; `name` is used in error messages.
  LackeyTraceSource(std::unique_ptr<std::istream> in, std::string name, uint64_t limit = 0);
  bool next(Item& it) override;

 private:
  std::string path_;
  std::unique_ptr<std::istream> in_;
  uint64_t line_no_ = 0, limit_, produced_ = 0;
  std::string line_;
  bool pending_store_ = false;
  Item store_;
};

// Our compact binary trace (tb/TRACE_FORMAT.md): an 16-byte header, then one record per access
// of 1 flag byte, a zigzag LEB128 address delta, and a size byte when the size is not 8.
constexpr char kTraceMagic[8] = {'A', 'M', 'M', 'U', 'T', 'R', 'C', '\0'};
constexpr uint32_t kTraceVersion = 1;

// Where the binary decoder gets its bytes: blocks from a file, a pipe or a decompressor. read()
// fills up to `max` bytes and returns how many; 0 only at the end of the data. A malformed
// source (a corrupt compressed frame) throws std::runtime_error naming itself.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual size_t read(uint8_t* dst, size_t max) = 0;
};

// Blocks read from a std::istream (a file, a FIFO, a string stream).
class IstreamByteSource : public ByteSource {
 public:
  explicit IstreamByteSource(std::unique_ptr<std::istream> in) : in_(std::move(in)) {}
  size_t read(uint8_t* dst, size_t max) override;
  bool good() const { return static_cast<bool>(*in_); }

 private:
  std::unique_ptr<std::istream> in_;
};

class BinaryTraceSource : public Source {
 public:
  explicit BinaryTraceSource(const std::string& path, uint64_t limit = 0);
  BinaryTraceSource(std::unique_ptr<std::istream> in, std::string name, uint64_t limit = 0);
  // Any block source (e.g. a decompressor); `name` is used in error messages.
  BinaryTraceSource(std::unique_ptr<ByteSource> in, std::string name, uint64_t limit = 0);
  bool next(Item& it) override;
  uint64_t expected() const override { return count_; }

 private:
  void header();
  // The next byte, refilling the buffer when it is empty; -1 at the end of the data.
  int get() { return pos_ < end_ ? *pos_++ : refill_get(); }
  int refill_get();
  std::string path_;
  std::unique_ptr<ByteSource> in_;
  // Records are decoded from this block (a record is at most 12 bytes; the few that straddle two
  // blocks take the byte-at-a-time path). No per-record call into the stream.
  std::vector<uint8_t> buf_;
  const uint8_t *pos_ = nullptr, *end_ = nullptr;
  bool eof_ = false;
  uint64_t record_ = 0, limit_, count_ = 0, last_ = 0;
};

class BinaryTraceWriter {
 public:
  explicit BinaryTraceWriter(const std::string& path);
  void add(const Item& it);
  // Writes the record count into the header and closes the file.
  void finish();
  uint64_t records() const { return n_; }

 private:
  std::string path_;
  std::ofstream out_;
  uint64_t n_ = 0, last_ = 0;
};

// Opens a trace of either format, told apart by the binary magic.
std::unique_ptr<Source> open_trace(const std::string& path, uint64_t limit = 0);

}  // namespace agilemmu::sys
