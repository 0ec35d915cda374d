// Byte I/O under the trace readers and writers: a file, a pipe or stdin read in blocks, optionally
// through zstd, and presented as a std::istream so the record decoders stay what they are. Writers
// get the mirror image (a file, optionally zstd-compressed). Plain C++ with libzstd, no SystemC.
#pragma once
#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace agilemmu::sys {

// A source of bytes read block by block. read() fills up to n bytes and returns how many (0 only
// at the end); errors throw std::runtime_error naming the trace.
class BlockSource {
 public:
  virtual ~BlockSource() = default;
  virtual size_t read(char* buf, size_t n) = 0;
};

// A file (or "-" for stdin) read with read(2): pipes and FIFOs work, nothing is read twice.
std::unique_ptr<BlockSource> open_file_blocks(const std::string& path);
// Decompresses a zstd stream (any number of frames) from `in`; `name` is used in errors.
std::unique_ptr<BlockSource> zstd_blocks(std::unique_ptr<BlockSource> in, std::string name);
// Opens `path` and, when its first bytes are the zstd frame magic, decompresses it: what every
// trace reader opens. Only the first block is looked at, so pipes work.
std::unique_ptr<BlockSource> open_trace_blocks(const std::string& path);

// Adapts a BlockSource to std::streambuf; the istream built on it rethrows the source's errors
// (badbit is in its exception mask) instead of reporting a silent end of file.
class BlockStreamBuf : public std::streambuf {
 public:
  explicit BlockStreamBuf(std::unique_ptr<BlockSource> src, size_t block = 1 << 16);

 protected:
  int_type underflow() override;

 private:
  std::unique_ptr<BlockSource> src_;
  std::vector<char> buf_;
};

class BlockIStream : public std::istream {
 public:
  explicit BlockIStream(std::unique_ptr<BlockSource> src);

 private:
  BlockStreamBuf buf_;
};

// A sink of bytes written block by block; finish() flushes and closes, throwing on failure.
class BlockSink {
 public:
  virtual ~BlockSink() = default;
  virtual void write(const char* buf, size_t n) = 0;
  virtual void finish() = 0;
  // Overwrites `n` bytes at `offset` after everything was written (false: not possible, e.g. zstd).
  virtual bool patch(uint64_t offset, const char* buf, size_t n) = 0;
};

// A file; when `path` ends in ".zst" its contents are zstd-compressed (level `level`).
std::unique_ptr<BlockSink> open_trace_sink(const std::string& path, int level = 9);
bool has_zst_suffix(const std::string& path);

}  // namespace agilemmu::sys
