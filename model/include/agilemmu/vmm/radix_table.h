// Writes and edits one radix page table (x86-64 or RISC-V, entries by pt::Format's encoder) that lives as bytes in
// PhysMem. Used for every table kind: native, guest (nodes addressed by gPA), nested, shadow and compound.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/phys_mem.h>

namespace agilemmu::vmm {

class RadixTable {
 public:
  struct Nodes {
    std::function<uint64_t()> alloc;            // a fresh node; returns its table-space address
    std::function<uint64_t(uint64_t)> to_host;  // table-space node address -> hPA of its bytes
    std::function<void(uint64_t)> release;      // a node no longer referenced
    // A RISC-V G-stage root: a naturally aligned 16 KiB block (4 nodes' frames). Only for a
    // table made with `nested` and a RISC-V format; its frames are released one by one.
    std::function<uint64_t(uint64_t bytes)> alloc_root;
  };
  // Directory entries are Format::pointer (permissive on x86); leaves carry the permissions.
  // `nested`: the gPA->hPA table, indexed as Format::nested_index says (a RISC-V G-stage root
  // has 2048 entries, 16 KiB).
  RadixTable(pt::PhysMem& mem, const pt::Format& fmt, unsigned levels, Nodes nodes, uint64_t foreign_mask = 0,
             bool nested = false);
  RadixTable(const RadixTable&) = delete;
  RadixTable& operator=(const RadixTable&) = delete;
  ~RadixTable() = default;

  uint64_t root() const { return root_; }
  unsigned levels() const { return levels_; }

  // hPA of the entry for `va` at `level`; 0 when the path is missing and !create. Throws if a
  // large-page leaf (or a foreign entry) sits on the path.
  uint64_t entry_addr(uint64_t va, unsigned level, bool create);
  uint64_t read(uint64_t va, unsigned level) const;
  // Writes the entry (creating the path), releasing any subtree the old entry owned.
  void write(uint64_t va, unsigned level, uint64_t value);
  // Writes `leaf` (a Format::leaf of `size`) at the level where pages of `size` are leaves.
  void map(uint64_t va, pt::PageSize size, uint64_t leaf);
  void clear(uint64_t va, unsigned level) { write(va, level, 0); }
  // Finds the leaf for `va`: its level and value. False if not present on the way.
  bool lookup(uint64_t va, unsigned& level, uint64_t& entry) const;
  // Releases every node below `entry` (an entry at `level`) that this table owns.
  void release_below(uint64_t entry, unsigned level);
  // Releases all nodes including the root; the table must not be used afterwards.
  void release_all();
  size_t node_count() const { return nodes_count_; }
  // Table-space address of the node holding the entry for `va` at `level` (0 if the path is missing).
  uint64_t node_of(uint64_t va, unsigned level) const;
  // Drops the remembered paths (below). The table forgets them itself whenever it changes a
  // directory entry; whoever changes what Nodes::to_host answers (a host page migration under a
  // guest table) calls this.
  void forget_paths() const { path_.fill(PathSlot{}); }

  // Called after every entry write, including directory entries created on the way down:
  // (va, level, table-space address of the node written, old value, new value).
  std::function<void(uint64_t, unsigned, uint64_t, uint64_t, uint64_t)> on_write;

 private:
  void put(uint64_t va, unsigned level, uint64_t node, uint64_t ea, uint64_t value);
  // Byte offset of the entry for `va` in its node at `level`; entries in that node.
  uint64_t offset(uint64_t va, unsigned level) const {
    return 8ull * (nested_ ? fmt_.nested_index(va, level) : pt::Format::index(levels_, va, level));
  }
  // A RISC-V G-stage root is 16 KiB (Format::nested_index's 11 root bits).
  bool wide_root() const { return nested_ && fmt_.riscv(); }
  unsigned entries(unsigned level) const { return level == 1 && wide_root() ? 2048 : 512; }
  bool is_dir(uint64_t e, unsigned level) const { return fmt_.is_pointer(levels_, level, e) && !(e & foreign_mask_); }
  // The va bits that choose the node holding `va`'s entry at `level` (the root: none).
  uint64_t prefix(uint64_t va, unsigned level) const {
    return level == 1 ? 0 : va >> pt::Format::shift(levels_, level - 1);
  }
  // The node for `va`'s entry at `level`, or the deepest remembered node above it (the root when
  // none is): its level, table-space address and host address.
  struct PathSlot {
    uint64_t prefix = ~0ull, node = 0, host = 0;
  };
  const PathSlot& start(uint64_t va, unsigned level, unsigned& at) const;
  // Remembers `node` as the one holding `va`'s entries at `level`; returns its host address.
  uint64_t step(uint64_t va, unsigned level, uint64_t node) const;
  pt::PhysMem& mem_;
  pt::Format fmt_;
  unsigned levels_;
  Nodes nodes_;
  bool nested_;
  uint64_t foreign_mask_;  // entries with these bits point into another table: never followed
  uint64_t root_;
  size_t nodes_count_ = 0;
  // The last node visited at each level, by va prefix. Tables are built and read in address
  // order, so consecutive descents share all but their last step: without this each one
  // translated every node address again (for a guest table, a nested-record search per level).
  mutable std::array<PathSlot, pt::kMaxLevels + 1> path_{};
};

}  // namespace agilemmu::vmm
