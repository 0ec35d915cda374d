// `agilemmu trace convert IN OUT` (lackey text or binary -> our binary format; OUT.zst is compressed,
// "-" is stdin/stdout) and `agilemmu trace info FILE`. Any input may be zstd-compressed.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "sys/workload.h"

namespace agilemmu::cli {

int trace_cmd(int argc, char** argv) {
  Args a(argc, argv, 2);
  if (a.done()) throw UsageError("trace: convert [--limit N] IN OUT | info FILE");
  const std::string verb = a.next();
  if (verb == "convert") {
    // --limit N keeps the first N accesses (and the events among them): the capture of a long
    // program's beginning. Reading stops there, so a pipe's writer sees its reader go.
    uint64_t limit = 0;
    std::string in = a.value("convert");
    if (in == "--limit") {
      const std::string t = a.value("--limit");
      if (!config::parse_u64(t, limit) || limit == 0)
        throw UsageError("trace convert --limit: '" + t + "' is not a count of accesses >= 1");
      in = a.value("convert");
    }
    const std::string out = a.value("convert");
    if (!a.done()) throw UsageError("trace convert: too many arguments");
    auto src = sys::open_trace(in);
    sys::BinaryTraceWriter w(out, src->windowed());
    uint64_t accesses = 0;
    bool limited = false;
    try {
      sys::WorkloadOp it;
      if (src->windowed()) {  // the prologue as it is; the limit counts the window's accesses
        while (src->prologue(it)) w.add(it);
        w.window(src->skipped());
      }
      while (!(limited = limit && accesses >= limit) && src->next(it)) {
        w.add(it);
        if (!sys::is_mm_event(it.kind)) accesses += it.kind == sys::WorkloadOp::Repeat ? it.len : 1;
      }
      // A trace that stops early says so (trace info shows it); a cut input stays cut.
      if (limited)
        w.cut(AMMU_CUT_LIMIT);
      else if (src->cut())
        w.cut(src->cut());
      w.finish();
    } catch (...) {
      if (out != "-") std::remove(out.c_str());  // no partial trace that reads as a short one
      throw;
    }
    // With OUT "-" the trace goes to stdout: the summary must not go there too.
    std::fprintf(out == "-" ? stderr : stdout, "%llu records -> %s%s\n", static_cast<unsigned long long>(w.records()),
                 out.c_str(), limited ? " (limit reached)" : "");
    return kExitOk;
  }
  if (verb == "info") {
    const std::string in = a.value("info");
    if (!a.done()) throw UsageError("trace info: too many arguments");
    auto src = sys::open_trace(in);
    uint64_t n[3] = {0, 0, 0}, lo = ~0ull, hi = 0, ev[sys::kEventKinds] = {}, repeats = 0, repeated = 0;
    sys::WorkloadOp it;
    uint64_t touched = 0, written = 0, pro_events = 0;
    while (src->prologue(it)) {
      if (it.kind == sys::WorkloadOp::Touch)
        ++(it.access == pt::Access::Write ? written : touched);
      else
        ++pro_events;
    }
    while (src->next(it)) {
      if (sys::is_mm_event(it.kind)) {
        ++ev[it.kind - sys::WorkloadOp::Mmap];
        continue;
      }
      if (it.kind == sys::WorkloadOp::Repeat) {  // coalesced fetches: counted, their address is the last fetch's
        ++repeats;
        repeated += it.len;
        n[static_cast<unsigned>(pt::Access::Fetch)] += it.len;
        continue;
      }
      ++n[static_cast<unsigned>(it.access)];
      lo = std::min(lo, it.va);
      hi = std::max(hi, it.va);
    }
    const uint64_t accesses = n[0] + n[1] + n[2];
    std::printf("%s: %llu accesses (fetch %llu, read %llu, write %llu), addresses 0x%llx..0x%llx\n", in.c_str(),
                (unsigned long long)accesses, (unsigned long long)n[2], (unsigned long long)n[0],
                (unsigned long long)n[1], (unsigned long long)(accesses ? lo : 0), (unsigned long long)hi);
    uint64_t events = 0;
    for (auto e : ev) events += e;
    std::printf("%s: %llu memory-map events (", in.c_str(), (unsigned long long)events);
    for (unsigned k = 0; k < sys::kEventKinds; ++k)
      std::printf("%s%s %llu", k ? ", " : "",
                  sys::to_string(static_cast<sys::WorkloadOp::Kind>(sys::WorkloadOp::Mmap + k)),
                  (unsigned long long)ev[k]);
    std::printf(")\n");
    if (src->windowed() && !src->skipped() && !accesses)
      std::printf(
          "%s: a window that never started (the program ended before it); its prologue: %llu page touches, "
          "%llu memory-map events\n",
          in.c_str(), (unsigned long long)touched + written, (unsigned long long)pro_events);
    else if (src->windowed())
      std::printf(
          "%s: a window after %llu skipped accesses; its prologue: %llu page touches (%llu of them writes), "
          "%llu memory-map events\n",
          in.c_str(), (unsigned long long)src->skipped(), (unsigned long long)touched + written,
          (unsigned long long)written, (unsigned long long)pro_events);
    if (repeats)
      std::printf("%s: %llu of the fetches coalesced into %llu repeat records\n", in.c_str(),
                  (unsigned long long)repeated, (unsigned long long)repeats);
    static const char* const kWhy[] = {"", "the capture's access limit", "the program was killed by a signal",
                                       "the capture was stopped from outside"};
    if (const uint32_t c = src->cut()) std::printf("%s: cut short: %s\n", in.c_str(), kWhy[c]);
    return kExitOk;
  }
  throw UsageError("trace: unknown verb '" + verb + "' (convert, info)");
}

}  // namespace agilemmu::cli
