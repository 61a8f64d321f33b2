// SPDX-License-Identifier: Apache-2.0
#pragma once
// Activation ranges from calibration data, for post-training quantization.
//   min/max:     the observed range (TFLite's converter default)
//   percentile:  the range clipped to the p-th percentile at each end (e.g. 99.99 % keeps all but
//                the 0.01 % most extreme values on either side), read from a fixed-size histogram
//                over the min/max range of a first pass; outliers then cost less resolution.
// No heap: a TensorStats is a fixed array of Bins counters.
#include <cstddef>
#include <cstdint>
#include <ctml/core/requantize.hpp>

namespace ctml::quant {

enum class RangeMethod { min_max, percentile };

struct CalibrationOptions {
  RangeMethod method = RangeMethod::min_max;
  double percentile = 99.99;  // used by RangeMethod::percentile
};

template <std::size_t Bins = 2048>
struct TensorStats {
  static_assert(Bins >= 2, "ctml::quant::TensorStats needs at least two bins");
  double lo = 0, hi = 0;
  bool any = false;
  std::uint64_t total = 0;  // values counted in the histogram
  std::uint32_t bins[Bins]{};

  // First pass: running min/max.
  template <class T>
  constexpr void observe_range(const T* v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const double x = static_cast<double>(v[i]);
      if (!any || x < lo) lo = x;
      if (!any || x > hi) hi = x;
      any = true;
    }
  }
  // Second pass: histogram over [lo, hi].
  template <class T>
  constexpr void observe_histogram(const T* v, std::size_t n) {
    const double width = hi - lo;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t b = 0;
      if (width > 0) {
        const double f = (static_cast<double>(v[i]) - lo) / width * static_cast<double>(Bins);
        b = f <= 0 ? 0 : (f >= static_cast<double>(Bins - 1) ? Bins - 1 : static_cast<std::size_t>(f));
      }
      ++bins[b];
      ++total;
    }
  }

  // [lo, hi] clipped so that at most (100 - p) % of the values lie beyond each end.
  struct Interval {
    double lo, hi;
  };
  constexpr Interval percentile_range(double p) const {
    if (total == 0 || !(hi > lo)) return {lo, hi};
    const double tail = (100.0 - p) / 100.0 * static_cast<double>(total);
    const double width = (hi - lo) / static_cast<double>(Bins);
    Interval r{lo, hi};
    double below = 0;
    for (std::size_t b = 0; b < Bins; ++b) {
      if (below + bins[b] > tail) {
        r.lo = lo + width * static_cast<double>(b);
        break;
      }
      below += bins[b];
    }
    double above = 0;
    for (std::size_t b = Bins; b-- > 0;) {
      if (above + bins[b] > tail) {
        r.hi = lo + width * static_cast<double>(b + 1);
        break;
      }
      above += bins[b];
    }
    return r;
  }

  constexpr QParams qparams(const CalibrationOptions& o) const {
    if (o.method == RangeMethod::percentile) {
      const Interval r = percentile_range(o.percentile);
      return choose_qparams(r.lo, r.hi);
    }
    return choose_qparams(lo, hi);
  }
};

}  // namespace ctml::quant
