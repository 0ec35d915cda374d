// The DPI-C functions as a C caller (a simulator's DPI layer) sees them: errors are -1 with
// agilemmu_last_error() set, never a crash or a silently walked out-of-range value; result fields
// are valid as documented; the golden cycle count follows the timing contract.
#define BOOST_TEST_MODULE dpi_api
#include <boost/test/unit_test.hpp>

#include <agilemmu/dpi/agilemmu_dpi.h>

#include <algorithm>
#include <string>

namespace {

// A 4-level random image (the co-simulation's) and a walk of each outcome from its requests.
struct Model {
  int h = agilemmu_create_from_seed(4, 4, 52, 52, 1, 1, 5);
  ~Model() { agilemmu_destroy(h); }
  // Walks requests until one's outcome is `want_ok`; returns its number of references.
  int walk_until(int want_ok) {
    for (int i = 0; i < 2000; ++i) {
      long long va;
      int access, user, mode, ok;
      BOOST_REQUIRE_EQUAL(agilemmu_next_request(h, &va, &access, &user, &mode), 1);
      const int n = agilemmu_golden_walk(h, va, access, user, mode);
      BOOST_REQUIRE_GE(n, 0);
      if (result(&ok) == 1 && ok == want_ok && n > 0) return n;
    }
    BOOST_FAIL("no such walk in 2000 requests");
    return -1;
  }
  int result(int* ok) {
    long long hpa, gpa, faddr, fcode;
    int size, perms, sw, stage, kind, level;
    return agilemmu_golden_result(h, ok, &hpa, &gpa, &size, &perms, &sw, &stage, &kind, &level, &faddr, &fcode);
  }
};

bool error_mentions(const char* what) { return std::string(agilemmu_last_error()).find(what) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(null_output_pointers_are_errors) {
  Model m;
  BOOST_REQUIRE_GE(m.h, 0);
  int i;
  long long l;
  BOOST_TEST(agilemmu_format(m.h, &i, &i, nullptr, &i, &i, &i) == -1);
  BOOST_TEST(error_mentions("agilemmu_format: output pointer 3 is NULL"));
  BOOST_TEST(agilemmu_format(m.h, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) == -1);
  BOOST_TEST(agilemmu_roots(m.h, &l, &l, &l, &l, &l, nullptr) == -1);
  BOOST_TEST(error_mentions("agilemmu_roots: output pointer 6"));
  BOOST_TEST(agilemmu_next_request(m.h, nullptr, &i, &i, &i) == -1);
  BOOST_TEST(error_mentions("agilemmu_next_request: output pointer 1"));
  BOOST_TEST(agilemmu_next_request(m.h, &l, &i, &i, nullptr) == -1);
  BOOST_TEST(agilemmu_golden_walk(m.h, 0x1000, 0, 0, 0) >= 0);
  BOOST_TEST(agilemmu_golden_result(m.h, &i, &l, &l, &i, &i, &i, &i, &i, &i, &l, nullptr) == -1);
  BOOST_TEST(error_mentions("agilemmu_golden_result: output pointer 11"));
  BOOST_TEST(agilemmu_golden_result(m.h, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                    nullptr, nullptr, nullptr) == -1);
  BOOST_TEST(agilemmu_golden_ref(m.h, 0, &l, &i, &i, &i, &i, nullptr) == -1);
  BOOST_TEST(error_mentions("agilemmu_golden_ref: output pointer 6"));
  // The same calls with every pointer set succeed.
  BOOST_TEST(agilemmu_format(m.h, &i, &i, &i, &i, &i, &i) == 1);
  BOOST_TEST(agilemmu_next_request(m.h, &l, &i, &i, &i) == 1);
  BOOST_TEST(agilemmu_golden_result(m.h, &i, &l, &l, &i, &i, &i, &i, &i, &i, &l, &l) == 1);
}

BOOST_AUTO_TEST_CASE(mode_and_access_outside_their_encoding_are_errors) {
  Model m;
  const long long va = 0x10000123;
  const int n = agilemmu_golden_walk(m.h, va, 0, 0, 3);  // a valid agile walk first
  BOOST_REQUIRE_GE(n, 0);
  for (int mode : {4, 255, -1}) {
    BOOST_TEST(agilemmu_golden_walk(m.h, va, 0, 0, mode) == -1, "mode " << mode);
    BOOST_TEST(error_mentions(("mode " + std::to_string(mode) + " is not").c_str()));
  }
  for (int access : {3, -1}) {
    BOOST_TEST(agilemmu_golden_walk(m.h, va, access, 0, 0) == -1, "access " << access);
    BOOST_TEST(error_mentions(("access " + std::to_string(access) + " is not").c_str()));
  }
  // A refused request leaves the last golden walk as it was.
  long long addr, data;
  int port, table, level, write;
  BOOST_TEST(agilemmu_golden_ref(m.h, n, &addr, &port, &table, &level, &write, &data) == 0);
  if (n > 0) BOOST_TEST(agilemmu_golden_ref(m.h, n - 1, &addr, &port, &table, &level, &write, &data) == 1);
}

BOOST_AUTO_TEST_CASE(bad_handles_are_errors) {
  int i;
  long long l;
  for (int h : {-1, 12345}) {
    BOOST_TEST(agilemmu_format(h, &i, &i, &i, &i, &i, &i) == -1);
    BOOST_TEST(error_mentions(("no model with handle " + std::to_string(h)).c_str()));
    BOOST_TEST(agilemmu_roots(h, &l, &l, &l, &l, &l, &i) == -1);
    BOOST_TEST(agilemmu_next_request(h, &l, &i, &i, &i) == -1);
    BOOST_TEST(agilemmu_golden_walk(h, 0, 0, 0, 0) == -1);
    BOOST_TEST(agilemmu_golden_result(h, &i, &l, &l, &i, &i, &i, &i, &i, &i, &l, &l) == -1);
    BOOST_TEST(agilemmu_golden_ref(h, 0, &l, &i, &i, &i, &i, &l) == -1);
    BOOST_TEST(agilemmu_golden_cycles(h, 0, 0) == -1);
  }
  Model m;
  const int h = m.h;
  agilemmu_destroy(h);
  BOOST_TEST(agilemmu_golden_walk(h, 0, 0, 0, 0) == -1);  // destroyed: its handle is no model
  BOOST_TEST(agilemmu_create_from_seed_image(4, 4, 52, 52, 1, 1, 1, -1) == -1);
  BOOST_TEST(agilemmu_create_from_seed(3, 4, 52, 52, 1, 1, 1) == -1);
  BOOST_TEST(error_mentions("bad format"));
}

BOOST_AUTO_TEST_CASE(last_error_stays_until_the_next_failure) {
  Model m;
  int i;
  long long l;
  BOOST_REQUIRE(agilemmu_golden_walk(m.h, 0, 7, 0, 0) == -1);
  const char* p = agilemmu_last_error();
  const std::string text = p;
  BOOST_TEST(text.find("access 7") != std::string::npos);
  // Successful calls leave the text (and the pointer) alone.
  BOOST_TEST(agilemmu_next_request(m.h, &l, &i, &i, &i) == 1);
  BOOST_TEST(agilemmu_golden_walk(m.h, l, 0, 0, 0) >= 0);
  BOOST_TEST(agilemmu_last_error() == p);
  BOOST_TEST(std::string(p) == text);
  BOOST_TEST(agilemmu_golden_walk(m.h, 0, 0, 0, 9) == -1);
  BOOST_TEST(error_mentions("mode 9"));
}

BOOST_AUTO_TEST_CASE(only_the_outcomes_fields_are_set) {
  Model m;
  int ok, size, perms, sw, stage, kind, level;
  long long hpa, gpa, faddr, fcode;
  m.walk_until(1);
  BOOST_REQUIRE(
      agilemmu_golden_result(m.h, &ok, &hpa, &gpa, &size, &perms, &sw, &stage, &kind, &level, &faddr, &fcode) == 1);
  BOOST_TEST(ok == 1);
  BOOST_TEST(hpa != 0);
  BOOST_TEST((stage == 0 && kind == 0 && level == 0 && faddr == 0 && fcode == 0));
  m.walk_until(0);
  BOOST_REQUIRE(
      agilemmu_golden_result(m.h, &ok, &hpa, &gpa, &size, &perms, &sw, &stage, &kind, &level, &faddr, &fcode) == 1);
  BOOST_TEST(ok == 0);
  BOOST_TEST(kind != 0);
  BOOST_TEST((hpa == 0 && gpa == 0 && size == 0 && perms == 0));
}

BOOST_AUTO_TEST_CASE(golden_cycles_follow_the_timing_contract) {
  Model m;
  const int n = m.walk_until(1);
  // start 1 + per reference (latency + step 1) + stalls (rtl/README.md, cycle contract).
  BOOST_TEST(agilemmu_golden_cycles(m.h, 0LL + 3 * n, 0) == 1 + 4LL * n);
  BOOST_TEST(agilemmu_golden_cycles(m.h, 0LL + 3 * n + 5, 7) == 1 + 4LL * n + 5 + 7);
  BOOST_TEST(agilemmu_golden_cycles(m.h, -1, 0) == -1);
  BOOST_TEST(agilemmu_golden_cycles(m.h, 0, -1) == -1);
  // A non-canonical VA: no reference, one cycle.
  BOOST_REQUIRE(agilemmu_golden_walk(m.h, 0x0000800000000000LL, 0, 0, 0) == 0);
  BOOST_TEST(agilemmu_golden_cycles(m.h, 0, 0) == 1);
}

BOOST_AUTO_TEST_CASE(seed_is_image_zero_of_the_seed) {
  long long r0[5], r1[5], r2[5];
  int g0, g1, g2;
  const int a = agilemmu_create_from_seed(4, 4, 52, 52, 1, 1, 9);
  const int b = agilemmu_create_from_seed_image(4, 4, 52, 52, 1, 1, 9, 0);
  const int c = agilemmu_create_from_seed_image(4, 4, 52, 52, 1, 1, 9, 1);
  BOOST_REQUIRE((a >= 0 && b >= 0 && c >= 0));
  agilemmu_roots(a, &r0[0], &r0[1], &r0[2], &r0[3], &r0[4], &g0);
  agilemmu_roots(b, &r1[0], &r1[1], &r1[2], &r1[3], &r1[4], &g1);
  agilemmu_roots(c, &r2[0], &r2[1], &r2[2], &r2[3], &r2[4], &g2);
  long long va[3];
  int acc, user, mode;
  for (int k = 0; k < 3; ++k) agilemmu_next_request(k == 0 ? a : k == 1 ? b : c, &va[k], &acc, &user, &mode);
  BOOST_TEST(va[0] == va[1]);
  BOOST_TEST(std::equal(r0, r0 + 5, r1));
  BOOST_TEST(va[0] != va[2]);  // image 1 is another image
  agilemmu_destroy(a);
  agilemmu_destroy(b);
  agilemmu_destroy(c);
}
