// Replicates of a sweep point (`replicates: N`): the N runs of one point, differing only in their
// seed, summarized per statistic as mean, sample standard deviation and the half-width of a 95%
// confidence interval of the mean (Student t, N-1 degrees of freedom).
#pragma once
#include <vector>

#include "sweep/results.h"

namespace agilemmu::sweep {

// t such that P(|T| <= t) = 0.95 for Student's t with `df` degrees of freedom.
double t95(unsigned df);

// One record per point from `records` (replicates consecutive, `n` per point, as expand() orders
// them): assignments and text statistics of replicate 0; every numeric statistic STAT becomes the
// mean, with STAT.sd and STAT.ci95 (the half-width: mean +- ci95) added after all means, and
// `replicates` (the count). A point with any failed replicate is failed, with that replicate's error.
std::vector<Json> summarize_replicates(const std::vector<Json>& records, unsigned n);

}  // namespace agilemmu::sweep
