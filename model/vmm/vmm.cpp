#include <agilemmu/vmm/vmm.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace agilemmu::vmm {

using pt::Format;

namespace {
// Acts for process p for a while (a scan of every process, a write to p's tables), then goes
// back to the selected one.
struct Acting {
  Acting(size_t& cur, size_t p) : cur_(cur), keep_(cur) { cur = p; }
  ~Acting() { cur_ = keep_; }
  size_t& cur_;
  size_t keep_;
};
}  // namespace

const char* to_string(Policy p) {
  switch (p) {
    case Policy::Static:
      return "static";
    case Policy::Dynamic:
      return "dynamic";
    case Policy::Isca:
      return "isca";
  }
  return "?";
}
const char* to_string(TrapKind k) {
  switch (k) {
    case TrapKind::PtWrite:
      return "pt_write";
    case TrapKind::ShadowFault:
      return "shadow_fault";
    case TrapKind::RootChange:
      return "root_change";
    case TrapKind::NestedChange:
      return "nested_change";
    case TrapKind::DirtyBit:
      return "dirty_bit";
    case TrapKind::kCount:
      break;
  }
  return "?";
}

uint64_t VmmStats::traps_total() const {
  uint64_t t = 0;
  for (auto v : traps) t += v;
  return t;
}
uint64_t VmmStats::trap_cycles_total() const {
  uint64_t t = 0;
  for (auto v : trap_cycles) t += v;
  return t;
}

VmmStats& VmmStats::operator+=(const VmmStats& o) {
#define AGILEMMU_ADD(field, key, unit, agg, desc, when) field += o.field;
  AGILEMMU_VMM_COUNTERS(AGILEMMU_ADD)
#undef AGILEMMU_ADD
  for (size_t k = 0; k < traps.size(); ++k) traps[k] += o.traps[k], trap_cycles[k] += o.trap_cycles[k];
  guest_os_cycles += o.guest_os_cycles;
  for (size_t l = 0; l < to_nested.size(); ++l) to_nested[l] += o.to_nested[l], to_shadow[l] += o.to_shadow[l];
  return *this;
}

ConfigIssue VmmCosts::validate() const {
  const std::pair<const char*, uint64_t> costs[] = {
      {"pt_write_trap", pt_write_trap},       {"shadow_fault_trap", shadow_fault_trap},
      {"root_change_trap", root_change_trap}, {"nested_change", nested_change},
      {"dirty_bit_trap", dirty_bit_trap},     {"shadow_resync", shadow_resync},
      {"guest_fault", guest_fault},           {"switch_to_nested", switch_to_nested},
      {"switch_to_shadow", switch_to_shadow}};
  for (const auto& [name, v] : costs)
    if (auto e = check_range(name, v, uint64_t(0), kMaxCycles)) return e;
  return {};
}

ConfigIssue DynamicPolicy::validate() const {
  if (auto e = check_range("interval", interval, uint64_t(1), UINT64_MAX)) return e;
  if (auto e = check_range("threshold", threshold, 1u, kMaxCount)) return e;
  if (auto e = check_range("window", window, 1u, kMaxCount)) return e;
  return check_range("backoff", backoff, 0u, kMaxBackoff);
}

Vmm::Vmm(AddressSpace& as, pt::Mode mode, Policy policy, const VmmCosts& costs, const DynamicPolicy& dyn,
         bool root_cache)
    : mode_(mode), policy_(policy), costs_(costs), dyn_(dyn), root_cache_(root_cache), next_interval_(dyn.interval) {
  require_valid("Vmm costs", costs.validate());
  require_valid("Vmm dynamic policy", dyn.validate());
  if (policy != Policy::Static && policy != Policy::Dynamic && policy != Policy::Isca)
    throw InvalidConfig("Vmm", {"policy", "must be static, dynamic or isca"});
  add_process(as, 1);
}

Vmm::~Vmm() {
  for (auto& p : procs_)
    if (p->as) p->as->on_guest_pt_write = nullptr;
}

uint16_t Vmm::asid_of(const AddressSpace& as) const {
  for (const auto& p : procs_)
    if (p->as == &as) return p->asid;
  return 0;
}

size_t Vmm::add_process(AddressSpace& as, uint16_t asid) {
  if (!procs_.empty() && &as.vm() != &procs_[0]->as->vm())
    throw std::invalid_argument("a Vmm's processes share one VM");
  const size_t i = procs_.size();
  procs_.push_back(std::make_unique<Process>());
  procs_.back()->as = &as;
  procs_.back()->asid = asid;
  as.on_guest_pt_write = [this, i](uint64_t va, unsigned level, uint64_t node, uint64_t old, uint64_t v) {
    on_pt_write(i, va, level, node, old, v);
  };
  return i;
}

const VmmStats& Vmm::stats() const {
  total_ = VmmStats{};
  for (const auto& p : procs_) {
    total_ += p->st;
    if (p->as) total_.huge_fallbacks += p->as->huge_fallbacks();  // (an ended process's are in st)
  }
  total_.intervals = intervals_;
  return total_;
}

uint64_t Vmm::nested_points() const {
  uint64_t n = 0;
  for (const auto& p : procs_)
    if (!p->ended) n += p->as->nested_points().size();
  return n;
}

void Vmm::reset_stats() {
  for (auto& p : procs_) p->st = VmmStats{};
  pending_cycles_ = 0;
}

uint64_t Vmm::take_cycles() {
  const uint64_t c = pending_cycles_;
  pending_cycles_ = 0;
  return c;
}

void Vmm::trap(TrapKind k, uint64_t cycles) {
  ++running().st.traps[size_t(k)];
  running().st.trap_cycles[size_t(k)] += cycles;
  pending_cycles_ += cycles;
}

void Vmm::send(const Invalidation& inv) const {
  if (invalidate) invalidate(inv);
}

// A guest page-table page is write-protected by the hypervisor when hardware walks a shadow
// copy of it: always under shadow paging, under agile paging unless a nested-style entry above
// makes hardware read the guest's own node.
bool Vmm::shadowed(uint64_t gva, unsigned level) const {
  if (mode_ == pt::Mode::Shadow) return true;
  if (mode_ == pt::Mode::Agile) return !as().guest_node_nested(gva, level);
  return false;
}

void Vmm::on_pt_write(size_t p, uint64_t gva, unsigned level, uint64_t node_gpa, uint64_t old, uint64_t v) {
  if (!in_op_) return;           // initial population is not guest activity being measured
  const Acting acting(cur_, p);  // (the tables written are p's, selected or not)
  ++running().st.guest_pt_writes;
  if (shadowed(gva, level)) {
    trap(TrapKind::PtWrite, costs_.pt_write_trap);
    // FIG. 9: a change to an existing translation suggests a dynamic region: after `threshold`
    // such writes to one page-table page, make its parent entry nested-style (the lowest
    // necessary node), so later writes there are not intercepted. The ISCA 2016 policy counts
    // every trapped write to the page, new entries too.
    const bool counts =
        policy_ == Policy::Isca || (policy_ == Policy::Dynamic && as().format().present(old) && old != v);
    if (mode_ == pt::Mode::Agile && counts && ++running().writes[{level, node_gpa}] >= dyn_.threshold)
      make_nested(gva, level - 1);
    return;
  }
  if (mode_ != pt::Mode::Agile) return;
  // The write went straight to guest memory: the nested PTE mapping that page records it in
  // its dirty bit, which the FIG. 10 scan reads.
  unsigned nl;
  uint64_t e;
  const uint64_t d = as().format().d_bit();
  if (as().nested_table().lookup(node_gpa, nl, e) && !(e & d)) {
    const uint64_t bytes = 1ull << Format::shift(as().format().nested_levels, nl);
    as().nested_table().write(node_gpa & ~(bytes - 1), nl, e | d);
  }
}

void Vmm::make_nested(uint64_t gva, unsigned level) {
  if (as().guest_node_nested(gva, level + 1)) return;  // already nested at this level or above
  as().set_compound_nested(gva, level);
  if (level == 0 || as().guest_node_nested(gva, level + 1)) {
    ++running().st.to_nested[level];
    running().st.switch_cycles += costs_.switch_to_nested;
    pending_cycles_ += costs_.switch_to_nested;
    send({Invalidation::WalkCaches});
  }
}

void Vmm::sync_page(uint64_t gva) {
  uint64_t gpa;
  pt::Perms p;
  pt::PageSize s;
  const uint64_t bytes = as().guest_translate(gva, gpa, p, s) ? pt::page_bytes(s) : 4096;
  const uint64_t lo = gva & ~(bytes - 1);
  as().resync(lo, lo + bytes);
}

void Vmm::demand_fault(uint64_t gva, pt::PageSize size, pt::Perms perms, bool write) {
  uint64_t gpa;
  pt::Perms p;
  pt::PageSize s;
  if (as().guest_translate(gva, gpa, p, s)) {  // another fault on the page got there first
    ++running().st.spurious_faults;
    return;
  }
  ++running().st.demand_faults;
  // A huge page goes only where nothing of its range is mapped (as Linux maps a transparent huge
  // page only into an empty PMD): after a fallback to smaller pages and unmaps of some of them,
  // the fault maps the largest page around gva that is still free.
  while (size != pt::PageSize::k4K &&
         !as().guest_range_unmapped(gva & ~(pt::page_bytes(size) - 1), pt::page_bytes(size)))
    size = static_cast<pt::PageSize>(static_cast<unsigned>(size) - 1);
  const uint64_t page = gva & ~(pt::page_bytes(size) - 1);
  const unsigned L = as().format().levels;
  // Under shadowing the VMM sees the guest's page fault first and reflects it to the guest.
  if (shadowed(page, L + 1)) trap(TrapKind::ShadowFault, costs_.shadow_fault_trap);
  charge_guest_fault();
  {
    const GuestOp op(in_op_);
    as().guest_map(page, size, perms, write && perms.write);
  }
  sync_page(page);
}

bool Vmm::dirty_bit_trap(uint64_t gva) {
  uint64_t gpa;
  pt::Perms p;
  pt::PageSize s;
  if (mode_ != pt::Mode::Shadow && mode_ != pt::Mode::Agile) return false;
  if (!as().guest_translate(gva, gpa, p, s) || !p.write) return false;
  if (as().guest_dirty(gva)) {  // another write's trap made it writable already: just retry
    ++running().st.spurious_faults;
    return true;
  }
  trap(TrapKind::DirtyBit, costs_.dirty_bit_trap);
  as().set_guest_dirty(gva);
  const uint64_t bytes = pt::page_bytes(s), lo = gva & ~(bytes - 1);
  as().resync(lo, lo + bytes);
  send({Invalidation::Page, lo, bytes, running().asid});  // the read-only translation may be cached
  return true;
}

void Vmm::charge_guest_fault() {
  running().st.guest_os_cycles += costs_.guest_fault;
  pending_cycles_ += costs_.guest_fault;
}

template <class Change>
bool Vmm::change_page(uint64_t gva, uint64_t VmmStats::*counter, Change&& change) {
  uint64_t gpa;
  pt::Perms p;
  pt::PageSize s;
  if (!as().guest_translate(gva, gpa, p, s)) return false;
  ++(running().st.*counter);
  const uint64_t bytes = pt::page_bytes(s), lo = gva & ~(bytes - 1);
  change(lo, gpa);
  // The derived tables follow the change, and the MMU drops the old translation.
  as().resync(lo, lo + bytes);
  send({Invalidation::Page, lo, bytes, running().asid});
  return true;
}

bool Vmm::unmap(uint64_t gva) {
  return change_page(gva, &VmmStats::unmaps, [&](uint64_t lo, uint64_t) {
    const GuestOp op(in_op_);
    as().guest_unmap(lo);
  });
}

bool Vmm::remap(uint64_t gva) {
  return change_page(gva, &VmmStats::remaps, [&](uint64_t lo, uint64_t) {
    // Copy-on-write or migration: a guest page fault, which shadowing intercepts first.
    if (shadowed(lo, as().format().levels + 1)) trap(TrapKind::ShadowFault, costs_.shadow_fault_trap);
    charge_guest_fault();
    const GuestOp op(in_op_);
    as().guest_remap(lo);
  });
}

bool Vmm::protect(uint64_t gva, pt::Perms perms, bool clean) {
  uint64_t gpa;
  pt::Perms p;
  pt::PageSize s;
  if (!as().guest_translate(gva, gpa, p, s) || (p == perms && !(clean && as().guest_dirty(gva)))) return false;
  return change_page(gva, &VmmStats::protects, [&](uint64_t lo, uint64_t) {
    const GuestOp op(in_op_);
    as().guest_protect(lo, perms, clean);
  });
}

bool Vmm::move(uint64_t from, uint64_t to) {
  uint64_t gpa;
  pt::Perms p;
  pt::PageSize s;
  if (!as().guest_translate(from, gpa, p, s)) return false;
  const uint64_t bytes = pt::page_bytes(s), dst = to;
  if (to & (bytes - 1)) {  // a large page cannot land there whole: it goes, and faults back in pieces
    unmap(from);
    return false;
  }
  unmap(dst);  // whatever the destination held goes first (mremap replaces it)
  return change_page(from, &VmmStats::moves, [&](uint64_t lo, uint64_t) {
    {
      const GuestOp op(in_op_);
      as().guest_move(lo, dst);
    }
    as().resync(dst, dst + bytes);  // (change_page brings the source range up to date)
  });
}

void Vmm::exit_process() {
  ++running().st.exits;
  {
    const GuestOp op(in_op_);
    as().guest_reset();
  }
  running().writes.clear();
  running().idle.clear();
  running().returns.clear();
  running().host_moved.clear();
  running().exited = true;
  // With one process in the VM, dropping everything drops exactly its translations.
  send(procs_.size() == 1 ? Invalidation{Invalidation::All} : Invalidation{Invalidation::Asid, 0, 0, running().asid});
}

void Vmm::switch_to(size_t p) {
  select(p);
  context_switch();
}

void Vmm::end_process(size_t p) {
  const Acting acting(cur_, p);
  if (running().ended) return;
  // The guest tears the address space down (its top-level entries: traps under a shadowed root)
  // and the MMU drops the ASID; nothing runs in it between that and the teardown.
  // (An exec resets the address space too, and the new image maps pages again: those go now.)
  if (!running().exited || !as().guest_mappings().empty()) exit_process();
  running().ended = true;
  as().teardown();
  running().st.huge_fallbacks = as().huge_fallbacks();
  running().as = nullptr;  // its owner may destroy it now
}

bool Vmm::host_migrate(uint64_t gva) {
  return change_page(gva, &VmmStats::host_migrations, [&](uint64_t page, uint64_t gpa) {
    if (mode_ == pt::Mode::Native) return charge_guest_fault();  // natively: the OS moves its own page
    trap(TrapKind::NestedChange, costs_.nested_change);
    // Shadow-style entries embed the old hPA: the hypervisor rewrites them (claim 11 is why a
    // nested-style leaf helps pages the host moves often).
    const bool shadow_style = shadowed(page, as().format().levels + 1);
    if (shadow_style) {
      running().st.switch_cycles += costs_.shadow_resync;
      pending_cycles_ += costs_.shadow_resync;
    }
    running().host_moved.insert(page);
    if (mode_ == pt::Mode::Agile && policy_ != Policy::Static && shadow_style &&
        ++running().writes[{0, page}] >= dyn_.threshold)
      make_nested(page, as().format().levels);
    // The host page may be larger than the guest page (2 MiB or 1 GiB host pages): every guest
    // page it backs changes its hPA, not only gva's. (change_page invalidates gva's own page.)
    // So may other processes' pages, whose gPAs share the host page.
    const auto moved = as().vm().host_migrate(gpa);
    send({Invalidation::Nested});
    for (const auto& m : moved)
      if (m.as != &as() || m.va != page) send({Invalidation::Page, m.va, m.bytes, asid_of(*m.as)});
  });
}

void Vmm::context_switch() {
  ++running().st.context_switches;
  const bool shadow_root = mode_ == pt::Mode::Shadow || (mode_ == pt::Mode::Agile && !as().fully_nested());
  if (!shadow_root) return;  // nested paging: the guest writes its root register freely
  if (root_cache_)
    ++running().st.root_cache_hits;  // the guest-root -> shadow-root cache answers
  else
    trap(TrapKind::RootChange, costs_.root_change_trap);
}

void Vmm::tick(uint64_t now) {
  while (now >= next_interval_) {
    next_interval_ += dyn_.interval;
    ++intervals_;
    cleared_dirty_ = false;
    for (size_t p = 0; p < procs_.size(); ++p) {
      if (procs_[p]->ended) continue;
      const Acting acting(cur_, p);
      if (mode_ == pt::Mode::Agile && policy_ != Policy::Static) scan();
      running().writes.clear();
      running().host_moved.clear();
    }
    if (cleared_dirty_) send({Invalidation::Nested});
  }
}

// True if any guest page-table page below the entry (va, level) was written since the last scan,
// judged from (and clearing) the dirty bits of the nested PTEs that map those pages. Hardware
// sets them: the guest's stores to its page-table pages and the walker's own A/D writes into
// guest entries go through the nested table (EPT-style A/D, Format::nested_ad).
bool Vmm::dirty_below(uint64_t va, unsigned level) {
  const Format& fmt = as().format();
  const unsigned L = fmt.levels;
  bool dirty = false;
  std::vector<std::pair<uint64_t, unsigned>> stack;  // (guest node gPA, its level)
  const uint64_t top = level == 0 ? as().roots().groot : as().guest_table().read(va, level);
  if (level == 0)
    stack.push_back({top, 1});
  else if (fmt.is_pointer(L, level, top))
    stack.push_back({fmt.target(top), level + 1});
  while (!stack.empty()) {
    const auto [node, lvl] = stack.back();
    stack.pop_back();
    unsigned nl;
    uint64_t e;
    if (!as().nested_table().lookup(node, nl, e)) continue;
    if (e & fmt.d_bit()) {
      dirty = true;
      const uint64_t bytes = 1ull << Format::shift(fmt.nested_levels, nl);
      as().nested_table().write(node & ~(bytes - 1), nl, e & ~fmt.d_bit());
      cleared_dirty_ = true;  // cached nested translations remember D set: the scan flushes them
    }
    if (lvl == L) continue;
    uint64_t hpa;
    pt::Perms p;
    pt::PageSize s;
    if (!as().host_translate(node, hpa, p, s)) continue;
    for (unsigned i = 0; i < 512; ++i) {
      const uint64_t ge = as().mem().read64(hpa + 8ull * i);
      if (fmt.is_pointer(L, lvl, ge)) stack.push_back({fmt.target(ge), lvl + 1});
    }
  }
  return dirty;
}

// FIG. 10: nested-style entries whose guest page-table pages were not written for `window`
// intervals go back to shadow-style, parents before children. The window doubles each time the
// same entry has gone back before (up to `backoff` times): an entry that keeps coming back nested
// is a region written periodically, and each round trip costs two switches and the trapped
// writes that re-nest it.
void Vmm::scan() {
  std::vector<std::pair<unsigned, uint64_t>> points = as().nested_points();  // sorted: level, then va
  if (as().fully_nested()) points.insert(points.begin(), {0u, 0ull});
  for (const auto& pt : points) {
    const auto key = std::make_pair(pt.first, pt.second);
    const bool leaf = pt.first == as().format().levels;
    const bool dirty = leaf ? running().host_moved.count(pt.second) > 0 : dirty_below(pt.second, pt.first);
    if (dirty) {
      running().idle[key] = 0;
      continue;
    }
    const auto r = running().returns.find(key);
    const unsigned doublings = r == running().returns.end() ? 0 : std::min(r->second, dyn_.backoff);
    if (++running().idle[key] < (uint64_t(dyn_.window) << doublings)) continue;
    running().idle.erase(key);
    ++running().returns[key];
    as().set_compound_shadow(pt.second, pt.first);
    ++running().st.to_shadow[pt.first];
    running().st.switch_cycles += costs_.switch_to_shadow;
    pending_cycles_ += costs_.switch_to_shadow;
    send({Invalidation::WalkCaches});
  }
}

}  // namespace agilemmu::vmm
