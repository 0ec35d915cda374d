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

#include "config/workload_config.h"
#include "sys/syscall_log.h"
#include "sys/trace_io.h"
#include "sys/trace_record.h"
#include "sys/workload_op.h"

namespace agilemmu::sys {

class Source {
 public:
  virtual ~Source() = default;
  virtual bool next(WorkloadOp& it) = 0;
  // Accesses this source will produce, if known (for progress), else 0.
  virtual uint64_t expected() const { return 0; }
  // Why the trace read so far is cut short (AMMU_CUT_*, sys/trace_record.h), or 0.
  virtual uint32_t cut() const { return 0; }
  // A window of a program (a version 4 trace captured with a skip): it opens with a prologue, the
  // state the program built before the window. prologue() yields its items in order (Touch, and
  // memory-map events) and false at its end; next() yields the window and must not be called
  // before the prologue is read. skipped(): the accesses the prologue stands for.
  virtual bool windowed() const { return false; }
  virtual bool prologue(WorkloadOp&) { return false; }
  virtual uint64_t skipped() const { return 0; }
};

class SyntheticSource : public Source {
 public:
  explicit SyntheticSource(const WorkloadConfig& cfg);
  bool next(WorkloadOp& it) override;
  uint64_t expected() const override { return cfg_.accesses; }

 private:
  struct State {
    uint64_t cursor = 0;
    std::vector<double> zipf_cdf;  // over pages
    std::vector<uint32_t> chase;   // pointer chase: next page index
    uint32_t chase_at = 0;
  };
  uint64_t address(size_t i);
  WorkloadConfig cfg_;
  std::vector<State> st_;
  std::vector<double> weight_cdf_;
  std::mt19937_64 rng_;
  uint64_t issued_ = 0;
  std::vector<WorkloadOp> pending_events_;
};

// valgrind lackey --trace-mem=yes text: "I  addr,size", " L addr,size", " S addr,size",
// " M addr,size" (M = load then store), and with --trace-syscalls=yes the program's memory-map
// calls ("SYSCALL[pid,tid](nr) sys_mmap ( ... ) --> ... Success(0x...)", sys/syscall_log.h) as
// events. Streamed; other valgrind lines (==pid== ..., other calls) are skipped.
class LackeyTraceSource : public Source {
 public:
  explicit LackeyTraceSource(const std::string& path, uint64_t limit = 0);
  // Reads from any stream; `name` is used in error messages.
  LackeyTraceSource(std::unique_ptr<std::istream> in, std::string name, uint64_t limit = 0);
  bool next(WorkloadOp& it) override;

 private:
  std::string path_;
  std::unique_ptr<std::istream> in_;
  uint64_t line_no_ = 0, limit_, produced_ = 0;
  std::string line_;
  bool pending_store_ = false;
  WorkloadOp store_;
  SyscallLog sys_;
};

// Our compact binary trace (tb/TRACE_FORMAT.md): an 16-byte header, then one record per access
// of 1 flag byte, a zigzag LEB128 address delta, and a size byte when the size is not 8.
constexpr char kTraceMagic[8] = {'A', 'M', 'M', 'U', 'T', 'R', 'C', '\0'};
// Version 2 adds memory-map event records (access kind 3), version 3 fetch repeat records and the
// cut marker; older files stay readable.
constexpr uint32_t kTraceVersion = AMMU_TRACE_VERSION, kTraceVersionMin = 1;

// The binary decoder reads blocks from a BlockSource (sys/trace_io.h: a file, a pipe, a zstd
// decompressor), or from a std::istream through this one (a string stream in tests).
class IstreamBlockSource : public BlockSource {
 public:
  explicit IstreamBlockSource(std::unique_ptr<std::istream> in) : in_(std::move(in)) {}
  size_t read(char* dst, size_t max) override;
  bool good() const { return static_cast<bool>(*in_); }

 private:
  std::unique_ptr<std::istream> in_;
};

class BinaryTraceSource : public Source {
 public:
  explicit BinaryTraceSource(const std::string& path, uint64_t limit = 0);
  BinaryTraceSource(std::unique_ptr<std::istream> in, const std::string& name, uint64_t limit = 0);
  // Any block source (e.g. a decompressor); `name` is used in error messages.
  BinaryTraceSource(std::unique_ptr<BlockSource> in, std::string name, uint64_t limit = 0);
  bool next(WorkloadOp& it) override;
  uint64_t expected() const override { return count_; }
  uint32_t cut() const override { return cut_; }
  bool windowed() const override { return windowed_; }
  bool prologue(WorkloadOp& it) override;
  uint64_t skipped() const override { return skipped_; }

 private:
  void header();
  uint64_t uleb(const char* what);
  bool event(int flags, WorkloadOp& it);
  // The next byte, refilling the buffer when it is empty; -1 at the end of the data.
  int get() { return pos_ < end_ ? *pos_++ : refill_get(); }
  int refill_get();
  std::string path_;
  uint32_t version_ = 0;
  std::unique_ptr<BlockSource> in_;
  // Records are decoded from this block (a record is at most 12 bytes; the few that straddle two
  // blocks take the byte-at-a-time path). No per-record call into the stream.
  static constexpr size_t kBlockBytes = size_t{64} << 10;  // one read of the source
  std::vector<uint8_t> buf_;
  const uint8_t *pos_ = nullptr, *end_ = nullptr;
  bool eof_ = false;
  uint64_t record_ = 0, limit_, count_ = 0, last_ = 0;
  uint64_t last_fetch_ = 0;  // the address a repeat record's fetches repeat
  uint32_t cut_ = 0;
  bool windowed_ = false, in_prologue_ = false;
  uint64_t skipped_ = 0;
};

// Writes our binary format to `path` ("-": stdout), zstd-compressed when the name ends in ".zst".
class BinaryTraceWriter {
 public:
  // `windowed`: the trace opens with a prologue (add Touch items and events, then window()).
  explicit BinaryTraceWriter(const std::string& path, bool windowed = false);
  ~BinaryTraceWriter();
  void add(const WorkloadOp& it);
  // The window marker: the prologue ends; `skipped` accesses came before the window.
  void window(uint64_t skipped);
  // The cut marker: the trace ends early for `reason` (AMMU_CUT_*).
  void cut(uint32_t reason);
  // Writes the record count into the header (a plain file only) and closes the file.
  void finish();
  uint64_t records() const { return n_; }

 private:
  void put(const unsigned char* b, const unsigned char* e);
  void add_event(const WorkloadOp& it);
  std::string path_;
  std::unique_ptr<BlockSink> out_;
  std::string buf_;
  uint64_t n_ = 0, last_ = 0;
};

// Opens a trace of either format, told apart by the binary magic, each optionally zstd-compressed
// (told apart by the zstd magic). "-" reads stdin.
std::unique_ptr<Source> open_trace(const std::string& path, uint64_t limit = 0);

}  // namespace agilemmu::sys
