#include <agilemmu/pt/walk.h>

namespace agilemmu::pt {

const char* to_string(Mode m) {
  switch (m) {
    case Mode::Native:
      return "native";
    case Mode::Nested:
      return "nested";
    case Mode::Shadow:
      return "shadow";
    case Mode::Agile:
      return "agile";
  }
  return "?";
}
const char* to_string(Access a) {
  switch (a) {
    case Access::Read:
      return "read";
    case Access::Write:
      return "write";
    case Access::Fetch:
      return "fetch";
  }
  return "?";
}
const char* to_string(Port p) { return p == Port::Compound ? "compound" : "nested"; }
const char* to_string(Table t) {
  switch (t) {
    case Table::Native:
      return "native";
    case Table::Shadow:
      return "shadow";
    case Table::Compound:
      return "compound";
    case Table::Guest:
      return "guest";
    case Table::Nested:
      return "nested";
  }
  return "?";
}
const char* to_string(Stage s) {
  switch (s) {
    case Stage::None:
      return "none";
    case Stage::Native:
      return "native";
    case Stage::Shadow:
      return "shadow";
    case Stage::Compound:
      return "compound";
    case Stage::Guest:
      return "guest";
    case Stage::Nested:
      return "nested";
  }
  return "?";
}
const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::None:
      return "none";
    case FaultKind::NotPresent:
      return "not-present";
    case FaultKind::Reserved:
      return "reserved-bit";
    case FaultKind::Permission:
      return "permission";
    case FaultKind::NonCanonical:
      return "non-canonical";
    case FaultKind::AddressSize:
      return "address-size";
    case FaultKind::Misaligned:
      return "misaligned-superpage";
    case FaultKind::AccessedDirty:
      return "accessed-dirty";
  }
  return "?";
}
bool parse_mode(const std::string& s, Mode& m) {
  for (Mode c : {Mode::Native, Mode::Nested, Mode::Shadow, Mode::Agile})
    if (s == to_string(c)) {
      m = c;
      return true;
    }
  return false;
}
bool parse_access(const std::string& s, Access& a) {
  for (Access c : {Access::Read, Access::Write, Access::Fetch})
    if (s == to_string(c)) {
      a = c;
      return true;
    }
  return false;
}

void Walk::start(const Format& fmt, const Roots& roots, const WalkRequest& req, WalkCaches* caches) {
  fmt_ = fmt;
  reserved_ = fmt.reserved_always();
  roots_ = roots;
  req_ = req;
  caches_ = caches;
  res_.ok = false;
  res_.nrefs = 0;
  res_.nwrites = 0;
  res_.fault = Fault{};
  res_.tr = Translation{};
  res_.switch_level = kNeverNested;
  pwc_lookups_ = ntlb_lookups_ = npwc_lookups_ = 0;
  wq_n_ = wq_i_ = 0;
  first_perms_ = Perms{};
  first_size_ = PageSize::k4K;
  first_dirty_ = false;
  first_level_ = 1;
  node_leaf_ = NestedEntry{};

  switch (req.mode) {
    case Mode::Native:
      first_table_ = Table::Native;
      first_node_ = roots.hroot;
      break;
    case Mode::Shadow:
      first_table_ = Table::Shadow;
      first_node_ = roots.sroot;
      break;
    case Mode::Nested:
      first_table_ = Table::Guest;
      first_node_ = roots.groot;
      res_.switch_level = 0;
      break;
    case Mode::Agile:
      first_node_ = roots.croot;
      first_table_ = roots.croot_is_gpa ? Table::Guest : Table::Compound;
      if (roots.croot_is_gpa) res_.switch_level = 0;
      break;
  }
  if (!fmt_.canonical(req.va)) {  // x86 #GP: raised before any table is read, so no stage
    // RISC-V: a page fault of the first dimension (a VS-stage page fault for a guest).
    fail(fmt_.riscv() ? stage_of(first_table_) : Stage::None, FaultKind::NonCanonical, 0, req.va, access_code());
    return;
  }
  if (caches_) {
    ++pwc_lookups_;
    PwcEntry e;
    if (caches_->pwc_lookup(req.mode, req.va, e)) {
      first_level_ = e.level + 1;
      first_node_ = e.next;
      first_perms_ = e.perms;
      if (e.next_is_gpa) {  // the walk had switched to nested at or above the cached entry
        if (first_table_ == Table::Compound) res_.switch_level = e.switch_level;
        first_table_ = Table::Guest;
      }
    }
  }
  prepare_first_dim();
  settle();
}

void Walk::prepare_first_dim() {
  if (first_table_ == Table::Guest) {  // guest-table node pointers are gPAs: translate first
    // RISC-V reports the gPA of the entry itself when its translation faults (htval).
    const uint64_t entry = fmt_.riscv() ? 8ull * Format::index(fmt_.levels, req_.va, first_level_) : 0;
    begin_nested(first_node_ + entry, first_level_);
    return;
  }
  pending_ = {first_node_ + 8ull * Format::index(fmt_.levels, req_.va, first_level_), Port::Compound, first_table_,
              first_level_};
  phase_ = Phase::FirstDimRead;
}

void Walk::begin_nested(uint64_t gpa, uint8_t purpose) {
  ngpa_ = gpa;
  npurpose_ = purpose;
  nperms_ = Perms{};
  if (gpa >> fmt_.gpa_bits()) {  // beyond what the nested table can map
    fail(Stage::Nested, FaultKind::AddressSize, 0, gpa, nested_code() | ec::P | ec::RSVD);
    return;
  }
  nlevel_ = 1;
  nnode_ = roots_.nroot;
  if (caches_) {
    ++ntlb_lookups_;
    NestedEntry ne;
    if (caches_->ntlb_lookup(gpa, ne)) return nested_done(ne, false);
    ++npwc_lookups_;
    NestedPwcEntry pe;
    if (caches_->npwc_lookup(gpa, pe)) {
      nlevel_ = pe.level + 1;
      nnode_ = pe.next;
      nperms_ = pe.perms;
    }
  }
  pending_ = {nnode_ + 8ull * fmt_.nested_index(gpa, nlevel_), Port::Nested, Table::Nested, nlevel_};
  phase_ = Phase::NestedRead;
}

void Walk::feed(uint64_t v) {
  if (!needs_mem()) return;
  if (res_.nrefs < kMaxRefs) res_.refs[res_.nrefs++] = pending_;
  if (phase_ == Phase::Write) {
    ++res_.nwrites;
    if (++wq_i_ < wq_n_) {
      pending_ = wq_[wq_i_];
      return;
    }
    wq_n_ = wq_i_ = 0;
    phase_ = resume_phase_;
    pending_ = resume_ref_;
    return;
  }
  if (phase_ == Phase::NestedRead)
    step_nested(v);
  else
    step_first_dim(v);
  settle();
}

void Walk::settle() {
  if (!wq_n_) return;
  resume_phase_ = phase_;
  resume_ref_ = pending_;
  phase_ = Phase::Write;
  wq_i_ = 0;
  pending_ = wq_[0];
}

void Walk::queue_write(const MemRef& r, uint64_t old, uint64_t data) {
  MemRef w = r;
  w.write = true;
  w.old = old;
  w.data = data;
  wq_[wq_n_++] = w;
}

uint64_t Walk::set_bits(uint64_t v, uint64_t bits) {
  if ((v & bits) == bits) return v;
  queue_write(pending_, v, v | bits);
  return v | bits;
}

void Walk::step_nested(uint64_t v) {
  const unsigned nl = fmt_.nested_levels;
  const Entry e = fmt_.decode(nl, nlevel_, v, reserved_);
  if (e.kind == EntryKind::Invalid) return fail(Stage::Nested, FaultKind::NotPresent, nlevel_, ngpa_, nested_code());
  if (e.kind == EntryKind::Reserved)
    return fail(Stage::Nested, FaultKind::Reserved, nlevel_, ngpa_, nested_code() | ec::P | ec::RSVD);
  // (The spec checks permissions before alignment; both are the same guest-page fault.)
  if (e.kind == EntryKind::Misaligned)
    return fail(Stage::Nested, FaultKind::Misaligned, nlevel_, ngpa_, nested_code() | ec::P);
  nperms_ = nperms_ & e.perms;
  if (e.kind == EntryKind::Leaf)
    return nested_done({e.addr, Format::size_at(nl, nlevel_), nperms_, pending_.addr, v}, true);
  if (fmt_.nested_ad && fmt_.ad_in_pointers()) set_bits(v, pte::A);
  const uint64_t next = e.addr;
  if (caches_) caches_->npwc_fill(ngpa_, {next, nperms_, nlevel_});
  nnode_ = next;
  ++nlevel_;
  pending_ = {nnode_ + 8ull * fmt_.nested_index(ngpa_, nlevel_), Port::Nested, Table::Nested, nlevel_};
}

// The nested leaf for ngpa_ is known: read just now (`fresh`), or from the nested TLB.
// Every nested access is a user access (AMD NPT); translating a guest-table pointer is a read
// (the write check comes when the guest entry needs its A/D written); the final gPA is checked
// for the access itself.
void Walk::nested_done(const NestedEntry& found, bool fresh) {
  NestedEntry leaf = found;
  const bool final = npurpose_ == kFinal;
  const uint8_t level = static_cast<uint8_t>(Format::level_of(fmt_.nested_levels, leaf.size));
  if (!nested_permits(leaf.perms, final)) {
    return fail(Stage::Nested, FaultKind::Permission, level, ngpa_,
                final ? ec::FINAL | access_code() | ec::P : ec::GUEST_TABLE | ec::P);
  }
  const uint64_t bits = fmt_.a_bit() | (final && req_.access == Access::Write ? fmt_.d_bit() : 0);
  if (fmt_.nested_ad && (leaf.leaf_pte & bits) != bits) {
    if (ad_fault(Stage::Nested, level, ngpa_)) return;
    queue_write({leaf.leaf_addr, Port::Nested, Table::Nested, level}, leaf.leaf_pte, leaf.leaf_pte | bits);
    leaf.leaf_pte |= bits;
    if (caches_) caches_->ntlb_fill(ngpa_, leaf);
  } else if (caches_ && fresh) {
    caches_->ntlb_fill(ngpa_, leaf);
  }
  const uint64_t hpa = leaf.hpa_base | (ngpa_ & (page_bytes(leaf.size) - 1));
  if (!final) {  // a guest-table node is now located in host memory: read it
    node_leaf_ = leaf;
    // (On RISC-V ngpa_ is already the entry's gPA, see prepare_first_dim.)
    const uint64_t entry = fmt_.riscv() ? 0 : 8ull * Format::index(fmt_.levels, req_.va, first_level_);
    pending_ = {hpa + entry, Port::Compound, Table::Guest, first_level_};
    phase_ = Phase::FirstDimRead;
    return;
  }
  res_.tr.gpa = ngpa_;
  const PageSize eff = static_cast<unsigned>(leaf.size) < static_cast<unsigned>(first_size_) ? leaf.size : first_size_;
  finish(hpa, eff, first_perms_ & leaf.perms, first_dirty_ && (!fmt_.nested_ad || (leaf.leaf_pte & fmt_.d_bit())));
}

bool Walk::guest_page_write() {
  const uint8_t level = static_cast<uint8_t>(Format::level_of(fmt_.nested_levels, node_leaf_.size));
  if (!node_leaf_.perms.write) {
    fail(Stage::Nested, FaultKind::Permission, level, ngpa_, ec::GUEST_TABLE | ec::P | ec::W);
    return false;
  }
  if (fmt_.nested_ad && !(node_leaf_.leaf_pte & fmt_.d_bit())) {
    if (ad_fault(Stage::Nested, level, ngpa_)) return false;
    queue_write({node_leaf_.leaf_addr, Port::Nested, Table::Nested, level}, node_leaf_.leaf_pte,
                node_leaf_.leaf_pte | fmt_.d_bit());
    node_leaf_.leaf_pte |= fmt_.d_bit();
    if (caches_) caches_->ntlb_fill(ngpa_, node_leaf_);
  }
  return true;
}

void Walk::step_first_dim(uint64_t v) {
  const unsigned L = fmt_.levels;
  const Stage st = stage_of(first_table_);
  const Entry e = fmt_.decode(L, first_level_, v, reserved_);
  if (e.kind == EntryKind::Invalid) return fail(st, FaultKind::NotPresent, first_level_, req_.va, access_code());
  if (e.kind == EntryKind::Reserved)
    return fail(st, FaultKind::Reserved, first_level_, req_.va, access_code() | ec::P | ec::RSVD);
  first_perms_ = first_perms_ & e.perms;
  // Only compound-table entries carry the selector; guest, shadow and native tables ignore it,
  // so below a nested-style entry everything stays nested (claim 14).
  const bool nested_style = first_table_ == Table::Compound && ((v >> fmt_.selector_bit) & 1);
  if (nested_style) res_.switch_level = static_cast<int8_t>(first_level_);
  const bool leaf = e.kind == EntryKind::Leaf || e.kind == EntryKind::Misaligned;
  if (leaf && !first_permits()) return fail(st, FaultKind::Permission, first_level_, req_.va, access_code() | ec::P);
  if (e.kind == EntryKind::Misaligned)
    return fail(st, FaultKind::Misaligned, first_level_, req_.va, access_code() | ec::P);
  // A (and D in a leaf written): a guest entry lives in guest memory, whose nested translation
  // must allow the write.
  const uint64_t bits =
      leaf || fmt_.ad_in_pointers() ? fmt_.a_bit() | (leaf && req_.access == Access::Write ? fmt_.d_bit() : 0) : 0;
  if ((v & bits) != bits) {
    if (ad_fault(st, first_level_, req_.va)) return;
    if (first_table_ == Table::Guest && !guest_page_write()) return;
    v = set_bits(v, bits);
  }
  if (leaf) {
    first_dirty_ = v & fmt_.d_bit();
    const PageSize size = Format::size_at(L, first_level_);
    const uint64_t mask = page_bytes(size) - 1;
    const uint64_t out = e.addr | (req_.va & mask);
    if (first_table_ == Table::Guest || nested_style) {  // out is a gPA: finish through the nested table
      first_size_ = size;
      return begin_nested(out, kFinal);
    }
    return finish(out, size, first_perms_, first_dirty_);
  }
  const uint64_t next = e.addr;
  const Table next_table = nested_style ? Table::Guest : first_table_;
  if (caches_)
    caches_->pwc_fill(req_.mode, req_.va,
                      {next, next_table == Table::Guest, first_table_, first_perms_, first_level_, res_.switch_level});
  first_table_ = next_table;
  first_node_ = next;
  ++first_level_;
  prepare_first_dim();
}

void Walk::finish(uint64_t hpa, PageSize size, const Perms& perms, bool dirty) {
  res_.ok = true;
  res_.tr.hpa = hpa;
  res_.tr.size = size;
  res_.tr.perms = perms;
  res_.tr.dirty = dirty;
  phase_ = Phase::Done;
}

void Walk::fail(Stage st, FaultKind k, uint8_t level, uint64_t addr, uint64_t code) {
  res_.ok = false;
  res_.fault = Fault{st, k, level, addr, fmt_.riscv() ? rv_cause(st) : code};
  phase_ = Phase::Done;
}

// Error code of a nested fault: translating the final gPA or a guest table pointer.
uint64_t Walk::nested_code() const { return npurpose_ == kFinal ? (ec::FINAL | access_code()) : ec::GUEST_TABLE; }

// RISC-V scause: a fault in the G-stage is a guest-page fault, any other a page fault; both are
// named by the original access even when an implicit VS-stage table access faulted.
uint64_t Walk::rv_cause(Stage st) const {
  const bool g = st == Stage::Nested;
  switch (req_.access) {
    case Access::Fetch:
      return g ? rv::kInstGuestPageFault : rv::kInstPageFault;
    case Access::Read:
      return g ? rv::kLoadGuestPageFault : rv::kLoadPageFault;
    case Access::Write:
      return g ? rv::kStoreGuestPageFault : rv::kStorePageFault;
  }
  return 0;
}

bool Walk::first_permits() const { return permits(fmt_, first_perms_, req_.access, req_.user, req_.sum, req_.mxr); }

// Every nested access is a user access (AMD NPT; RISC-V G-stage). The final gPA is checked for
// the access itself, a guest-table pointer as a read (RISC-V: an implicit load, so R is needed).
bool Walk::nested_permits(const Perms& p, bool final) const {
  if (fmt_.riscv()) return rv_permits(p, final ? req_.access : Access::Read, true, false, req_.g_mxr);
  return final ? permits(p, req_.access, true) : p.user;
}

bool Walk::ad_fault(Stage st, uint8_t level, uint64_t addr) {
  if (!fmt_.riscv() || fmt_.ad_hw) return false;
  fail(st, FaultKind::AccessedDirty, level, addr, 0);
  return true;
}

uint64_t Walk::access_code() const {
  uint64_t c = 0;
  if (req_.access == Access::Write) c |= ec::W;
  if (req_.access == Access::Fetch) c |= ec::I;
  if (req_.user) c |= ec::U;
  return c;
}

Stage Walk::stage_of(Table t) const {
  switch (t) {
    case Table::Native:
      return Stage::Native;
    case Table::Shadow:
      return Stage::Shadow;
    case Table::Compound:
      return Stage::Compound;
    case Table::Guest:
      return Stage::Guest;
    case Table::Nested:
      return Stage::Nested;
  }
  return Stage::None;
}

WalkResult walk(PhysMem& mem, const Format& fmt, const Roots& roots, const WalkRequest& req, WalkCaches* caches) {
  Walk w;
  w.start(fmt, roots, req, caches);
  while (w.needs_mem()) {
    const MemRef& r = w.next_ref();
    if (r.write) {
      mem.write64(r.addr, r.data);
      w.feed(0);
    } else {
      w.feed(mem.read64(r.addr));
    }
  }
  return w.result();
}

WalkResult probe(const PhysMem& mem, const Format& fmt, const Roots& roots, const WalkRequest& req) {
  Walk w;
  w.start(fmt, roots, req);
  return run_unperformed(w, [&](const MemRef& r) { return mem.read64(r.addr); });
}

}  // namespace agilemmu::pt
