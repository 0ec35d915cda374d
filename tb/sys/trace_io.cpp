#include "sys/trace_io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>
#include <zstd.h>

#include "config/input_file.h"

namespace agilemmu::sys {

namespace {

[[noreturn]] void io_error(const std::string& name, const std::string& what) {
  throw std::runtime_error(name + ": " + what);
}

class FdBlocks : public BlockSource {
 public:
  FdBlocks(int fd, std::string name, bool owned) : fd_(fd), name_(std::move(name)), owned_(owned) {}
  ~FdBlocks() override {
    if (owned_) ::close(fd_);
  }
  size_t read(char* buf, size_t n) override {
    for (;;) {
      const ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) io_error(name_, std::string("read failed: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
  std::string name_;
  bool owned_;
};

// Replays bytes already read (the sniffed magic) before the rest of the source.
class PrefixedBlocks : public BlockSource {
 public:
  PrefixedBlocks(std::string prefix, std::unique_ptr<BlockSource> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  size_t read(char* buf, size_t n) override {
    if (at_ < prefix_.size()) {
      const size_t k = std::min(n, prefix_.size() - at_);
      std::memcpy(buf, prefix_.data() + at_, k);
      at_ += k;
      return k;
    }
    return rest_->read(buf, n);
  }

 private:
  std::string prefix_;
  size_t at_ = 0;
  std::unique_ptr<BlockSource> rest_;
};

class ZstdBlocks : public BlockSource {
 public:
  ZstdBlocks(std::unique_ptr<BlockSource> in, std::string name)
      : in_(std::move(in)), name_(std::move(name)), dctx_(ZSTD_createDCtx()), src_(ZSTD_DStreamInSize()) {
    if (!dctx_) io_error(name_, "cannot create a zstd decoder");
  }
  ~ZstdBlocks() override { ZSTD_freeDCtx(dctx_); }
  size_t read(char* buf, size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      if (in_pos_ == in_len_) {
        if (eof_) {
          // The input ended: fine between frames, a truncated file inside one.
          if (in_frame_) io_error(name_, "truncated zstd stream (the file ends inside a frame)");
          return 0;
        }
        in_len_ = in_->read(src_.data(), src_.size());
        in_pos_ = 0;
        if (in_len_ == 0) {
          eof_ = true;
          continue;
        }
      }
      ZSTD_inBuffer in{src_.data(), in_len_, in_pos_};
      const size_t r = ZSTD_decompressStream(dctx_, &out, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(r)) io_error(name_, std::string("corrupt zstd stream (") + ZSTD_getErrorName(r) + ")");
      in_frame_ = r != 0;  // 0: a frame just ended
    }
    return out.pos;
  }

 private:
  std::unique_ptr<BlockSource> in_;
  std::string name_;
  ZSTD_DCtx* dctx_;
  std::vector<char> src_;
  size_t in_pos_ = 0, in_len_ = 0;
  bool eof_ = false, in_frame_ = false;
};

constexpr unsigned char kZstdMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};

class FileSink : public BlockSink {
 public:
  explicit FileSink(const std::string& path) : name_(path) {
    fd_ = path == "-" ? 1 : ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) io_error(path, std::string("cannot write trace: ") + std::strerror(errno));
  }
  ~FileSink() override {
    if (fd_ > 2) ::close(fd_);
  }
  void write(const char* buf, size_t n) override {
    while (n) {
      const ssize_t r = ::write(fd_, buf, n);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) io_error(name_, std::string("write failed: ") + std::strerror(errno));
      buf += r;
      n -= static_cast<size_t>(r);
    }
  }
  bool patch(uint64_t offset, const char* buf, size_t n) override {
    return ::pwrite(fd_, buf, n, static_cast<off_t>(offset)) == static_cast<ssize_t>(n);
  }
  void finish() override {
    if (fd_ > 2 && ::close(fd_) != 0) io_error(name_, std::string("write failed: ") + std::strerror(errno));
    fd_ = -1;
  }

 private:
  std::string name_;
  int fd_ = -1;
};

class ZstdSink : public BlockSink {
 public:
  ZstdSink(std::unique_ptr<BlockSink> out, std::string name, int level)
      : out_(std::move(out)), name_(std::move(name)), cctx_(ZSTD_createCCtx()), dst_(ZSTD_CStreamOutSize()) {
    if (!cctx_) io_error(name_, "cannot create a zstd encoder");
    check(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level));
    check(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1));  // corruption is detected on reading
  }
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }
  void write(const char* buf, size_t n) override {
    ZSTD_inBuffer in{buf, n, 0};
    while (in.pos < in.size) pump(&in, ZSTD_e_continue);
  }
  bool patch(uint64_t, const char*, size_t) override { return false; }
  void finish() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (pump(&in, ZSTD_e_end) != 0) {
    }
    out_->finish();
  }

 private:
  size_t pump(ZSTD_inBuffer* in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{dst_.data(), dst_.size(), 0};
    const size_t r = check(ZSTD_compressStream2(cctx_, &out, in, mode));
    if (out.pos) out_->write(dst_.data(), out.pos);
    return r;
  }
  size_t check(size_t r) {
    if (ZSTD_isError(r)) io_error(name_, std::string("zstd compression failed: ") + ZSTD_getErrorName(r));
    return r;
  }
  std::unique_ptr<BlockSink> out_;
  std::string name_;
  ZSTD_CCtx* cctx_;
  std::vector<char> dst_;
};

}  // namespace

std::unique_ptr<BlockSource> open_file_blocks(const std::string& path) {
  if (path == "-") return std::make_unique<FdBlocks>(0, "<stdin>", false);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_error(path, "cannot open trace");
  auto blocks = std::make_unique<FdBlocks>(fd, path, true);
  const std::string special = config::special_file(path);
  if (!special.empty()) io_error(path, "is a " + special + ", not a trace");
  return blocks;
}

std::unique_ptr<BlockSource> zstd_blocks(std::unique_ptr<BlockSource> in, std::string name) {
  return std::make_unique<ZstdBlocks>(std::move(in), std::move(name));
}

std::unique_ptr<BlockSource> open_trace_blocks(const std::string& path) {
  auto raw = open_file_blocks(path);
  // Sniff the magic: read until 4 bytes or the end (a pipe may deliver fewer per read).
  std::string head(4, '\0');
  size_t got = 0;
  while (got < head.size()) {
    const size_t r = raw->read(&head[got], head.size() - got);
    if (r == 0) break;
    got += r;
  }
  head.resize(got);
  const bool zst = got == 4 && std::memcmp(head.data(), kZstdMagic, 4) == 0;
  auto src = std::make_unique<PrefixedBlocks>(std::move(head), std::move(raw));
  if (zst) return zstd_blocks(std::move(src), path);
  return src;
}

BlockStreamBuf::BlockStreamBuf(std::unique_ptr<BlockSource> src, size_t block) : src_(std::move(src)), buf_(block) {
  setg(buf_.data(), buf_.data(), buf_.data());
}

BlockStreamBuf::int_type BlockStreamBuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  const size_t n = src_->read(buf_.data(), buf_.size());
  setg(buf_.data(), buf_.data(), buf_.data() + n);
  return n ? traits_type::to_int_type(*gptr()) : traits_type::eof();
}

BlockIStream::BlockIStream(std::unique_ptr<BlockSource> src) : std::istream(nullptr), buf_(std::move(src)) {
  rdbuf(&buf_);
  exceptions(std::ios::badbit);  // a read error or corrupt zstd stream is an error, not the end
}

bool has_zst_suffix(const std::string& path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".zst") == 0;
}

std::unique_ptr<BlockSink> open_trace_sink(const std::string& path, int level) {
  auto file = std::make_unique<FileSink>(path);
  if (has_zst_suffix(path)) return std::make_unique<ZstdSink>(std::move(file), path, level);
  return file;
}

}  // namespace agilemmu::sys
