// The AT request path's queues, without a heap allocation per request: the standard containers
// they replace allocate as entries pass through (a std::multimap node per transaction in
// tlm_utils::peq_with_get, a block every 64 entries in a std::deque). Storage grows only when
// more entries are held at once than ever before.
#pragma once
#include <algorithm>
#include <cstddef>
#include <systemc>
#include <vector>

namespace agilemmu::mmu {

// First in, first out.
template <class T>
class Fifo {
 public:
  bool empty() const { return head_ == v_.size(); }
  size_t size() const { return v_.size() - head_; }
  const T& front() const { return v_[head_]; }
  void push_back(const T& x) {
    if (head_ && v_.size() == v_.capacity()) {  // reuse the consumed front before growing
      v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    v_.push_back(x);
  }
  void pop_front() {
    if (++head_ == v_.size()) {  // drained: start over at the front of the storage
      v_.clear();
      head_ = 0;
    }
  }

 private:
  std::vector<T> v_;
  size_t head_ = 0;
};

// tlm_utils::peq_with_get with the same interface and behaviour: transactions come out in time
// order, equal times in arrival order, and the event is notified exactly as peq_with_get does.
template <class Payload>
class PeqWithGet {
 public:
  explicit PeqWithGet(const char* name) : event_(name) {}

  void notify(Payload& t, const sc_core::sc_time& delay) {
    const sc_core::sc_time at = delay + now();
    // After every entry due at or before `at` (std::multimap inserts at the end of equal keys).
    auto pos =
        std::upper_bound(q_.begin(), q_.end(), at, [](const sc_core::sc_time& a, const Entry& e) { return a < e.at; });
    q_.insert(pos, Entry{at, &t});
    event_.notify(delay);
  }

  // Call until it returns nullptr.
  Payload* get_next_transaction() {
    if (q_.empty()) return nullptr;
    const sc_core::sc_time& t_now = now();
    if (q_.front().at <= t_now) {
      Payload* t = q_.front().t;
      q_.erase(q_.begin());  // few entries: as many requests as the initiator has in flight
      return t;
    }
    event_.notify(q_.front().at - t_now);
    return nullptr;
  }

  sc_core::sc_event& get_event() { return event_; }
  bool empty() const { return q_.empty(); }

 private:
  // sc_time_stamp() without the library call (the context lookup is inline).
  static const sc_core::sc_time& now() { return sc_core::sc_get_curr_simcontext()->time_stamp(); }
  struct Entry {
    sc_core::sc_time at;
    Payload* t;
  };
  std::vector<Entry> q_;
  sc_core::sc_event event_;
};

}  // namespace agilemmu::mmu
