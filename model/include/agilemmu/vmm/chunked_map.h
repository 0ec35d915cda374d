// An ordered map from uint64_t keys (page bases) to values, kept as sorted arrays: a sorted list
// of chunks, each a sorted vector of at most kChunk entries. It answers what the mapping records
// need of std::map (floor, lower/upper bound, ordered iteration, insert, erase) with one
// allocation per chunk instead of one per record, and searches that stay in a few cache lines:
// populating hundreds of thousands of pages through a node-based map was most of a run's set-up.
// `Multi` keeps equal keys too, each inserted after its equals (as std::multimap does).
// Any insertion or erasure invalidates iterators and pointers.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace agilemmu::vmm {

template <class V, bool Multi = false>
class ChunkedMap {
 public:
  using value_type = std::pair<uint64_t, V>;
  static constexpr size_t kChunk = 256;

  class const_iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = ChunkedMap::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;
    const_iterator() = default;
    reference operator*() const { return m_->chunks_[c_][i_]; }
    pointer operator->() const { return &**this; }
    const_iterator& operator++() {
      if (++i_ == m_->chunks_[c_].size()) ++c_, i_ = 0;
      return *this;
    }
    const_iterator operator++(int) {
      auto t = *this;
      ++*this;
      return t;
    }
    const_iterator& operator--() {
      if (i_ == 0)
        i_ = m_->chunks_[--c_].size() - 1;
      else
        --i_;
      return *this;
    }
    const_iterator operator--(int) {
      auto t = *this;
      --*this;
      return t;
    }
    bool operator==(const const_iterator& o) const { return c_ == o.c_ && i_ == o.i_; }
    bool operator!=(const const_iterator& o) const { return !(*this == o); }

   private:
    friend class ChunkedMap;
    const_iterator(const ChunkedMap* m, size_t c, size_t i) : m_(m), c_(c), i_(i) {
      if (c_ < m_->chunks_.size() && i_ == m_->chunks_[c_].size()) ++c_, i_ = 0;  // one past a chunk: next one
    }
    const ChunkedMap* m_ = nullptr;
    size_t c_ = 0, i_ = 0;
  };

  const_iterator begin() const { return {this, 0, 0}; }
  const_iterator end() const { return {this, chunks_.size(), 0}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { chunks_.clear(), firsts_.clear(), size_ = 0, hint_c_ = hint_i_ = 0; }

  // First entry with key >= k / > k.
  const_iterator lower_bound(uint64_t k) const {
    // The last chunk starting below k: with equal keys, the first k may end the chunk before.
    size_t c = std::lower_bound(firsts_.begin(), firsts_.end(), k) - firsts_.begin();
    c = c ? c - 1 : 0;
    if (c == chunks_.size()) return end();
    const auto& ch = chunks_[c];
    return {this, c, size_t(std::lower_bound(ch.begin(), ch.end(), k, key_less) - ch.begin())};
  }
  const_iterator upper_bound(uint64_t k) const {
    const size_t c = chunk_for(k);
    if (c == chunks_.size()) return end();
    const auto& ch = chunks_[c];
    return {this, c, size_t(std::upper_bound(ch.begin(), ch.end(), k, key_greater) - ch.begin())};
  }
  // The entry with the greatest key <= k, or nullptr. Lookups mostly come in ascending key order
  // (walks of guest memory, table nodes just allocated): the last answer and its successor are
  // tried before a search.
  const value_type* floor(uint64_t k) const {
    if (hint_c_ < chunks_.size()) {
      const auto& ch = chunks_[hint_c_];
      for (size_t i = hint_i_; i < ch.size() && i <= hint_i_ + 1; ++i)
        if (ch[i].first <= k && (i + 1 < ch.size() ? ch[i + 1].first > k : next_chunk_above(hint_c_, k))) {
          hint_i_ = i;
          return &ch[i];
        }
    }
    const size_t c = chunk_for(k);
    if (c == chunks_.size()) return nullptr;
    const auto& ch = chunks_[c];
    const size_t i = std::upper_bound(ch.begin(), ch.end(), k, key_greater) - ch.begin();
    if (i == 0) return nullptr;  // only in the first chunk: k is below every key
    hint_c_ = c, hint_i_ = i - 1;
    return &ch[i - 1];
  }
  // The entry at key k, or nullptr (the first of its equals).
  const value_type* find(uint64_t k) const {
    const auto it = lower_bound(k);
    return it != end() && it->first == k ? &*it : nullptr;
  }

  // Unique maps: sets the value at k (inserting it if absent). Multi: adds (k, v) after k's equals.
  // True when an entry was added.
  bool insert_or_assign(uint64_t k, const V& v) {
    if (chunks_.empty()) {
      chunks_.emplace_back().reserve(kChunk + 1);
      firsts_.push_back(k);
    }
    // Keys mostly come in ascending order (pages mapped in address order): past the last key,
    // the entry is appended without a search.
    const auto& last = chunks_.back();
    const bool past_end = last.empty() || (Multi ? k >= last.back().first : k > last.back().first);
    const size_t c = past_end ? chunks_.size() - 1 : chunk_for(k);
    auto& ch = chunks_[c];
    auto pos = past_end ? ch.end()
               : Multi  ? std::upper_bound(ch.begin(), ch.end(), k, key_greater)
                        : std::lower_bound(ch.begin(), ch.end(), k, key_less);
    if (!Multi && pos != ch.end() && pos->first == k) {
      pos->second = v;
      return false;
    }
    const bool appended = c + 1 == chunks_.size() && pos == ch.end();
    ch.insert(pos, value_type{k, v});
    firsts_[c] = ch.front().first;
    ++size_;
    if (ch.size() > kChunk) split(c, appended);
    return true;
  }
  // Multi: adds (k, v) after k's equals.
  void insert(uint64_t k, const V& v) {
    static_assert(Multi, "unique maps: insert_or_assign");
    insert_or_assign(k, v);
  }
  // Removes the entry `it` points at; returns the one after it.
  const_iterator erase(const_iterator it) {
    auto& ch = chunks_[it.c_];
    ch.erase(ch.begin() + it.i_);
    --size_;
    if (ch.empty()) {
      chunks_.erase(chunks_.begin() + it.c_);
      firsts_.erase(firsts_.begin() + it.c_);
      return {this, it.c_, 0};
    }
    firsts_[it.c_] = ch.front().first;
    return {this, it.c_, it.i_};
  }
  // Removes the entry at k (unique maps); true if there was one.
  bool erase(uint64_t k) {
    const auto it = lower_bound(k);
    if (it == end() || it->first != k) return false;
    erase(it);
    return true;
  }
  // Multi: removes the entry (k, v); true if there was one.
  bool erase(uint64_t k, const V& v) {
    for (auto it = lower_bound(k); it != end() && it->first == k; ++it)
      if (it->second == v) {
        erase(it);
        return true;
      }
    return false;
  }

 private:
  static bool key_less(const value_type& e, uint64_t k) { return e.first < k; }
  static bool key_greater(uint64_t k, const value_type& e) { return k < e.first; }
  // The last chunk whose first key is <= k (where k and its equals go), chunks_.size() when there
  // are no chunks, 0 when k is below every key.
  size_t chunk_for(uint64_t k) const {
    if (chunks_.empty()) return 0;
    const size_t c = std::upper_bound(firsts_.begin(), firsts_.end(), k) - firsts_.begin();
    return c ? c - 1 : 0;
  }
  bool next_chunk_above(size_t c, uint64_t k) const { return c + 1 == chunks_.size() || firsts_[c + 1] > k; }
  void split(size_t c, bool appended) {
    // Appends in ascending order leave full chunks behind them; elsewhere each half has room.
    const size_t keep = appended ? kChunk : kChunk / 2;
    std::vector<value_type> tail;
    tail.reserve(kChunk + 1);
    tail.assign(chunks_[c].begin() + keep, chunks_[c].end());
    chunks_[c].resize(keep);
    firsts_.insert(firsts_.begin() + c + 1, tail.front().first);
    chunks_.insert(chunks_.begin() + c + 1, std::move(tail));
  }

  std::vector<std::vector<value_type>> chunks_;
  std::vector<uint64_t> firsts_;  // first key of each chunk
  size_t size_ = 0;
  mutable size_t hint_c_ = 0, hint_i_ = 0;  // floor's last answer
};

}  // namespace agilemmu::vmm
