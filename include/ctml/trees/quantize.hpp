// SPDX-License-Identifier: Apache-2.0
#pragma once
// Integer thresholds and leaves for trees::Forest: inference without float (an M0-class core).
//
// Features: per feature f an affine map q = clamp(round(x / scale[f]) + zero_point[f], lo, hi - 1)
// onto the threshold type's range [lo, hi] (hi is kept free: it stands for "always left").
// Thresholds: the float test x < t becomes q < qt with qt = ceil(t / scale + zero_point), clamped
// to [lo, hi]. For a dequantized feature x' = (q - zp) scale this is exact:
//   x' < t  <=>  q < t / scale + zp  <=>  q < ceil(t / scale + zp)
// so the integer model decides on q exactly as the float model decides on x'; the only change is
// the rounding of the features themselves (docs/trees.md measures what it costs).
// Leaves (optional): v = q_leaf * leaf_scale with one scale for the model (largest |v| to the
// type's maximum); the sums are exact int32, base and scale absorb leaf_scale, so predict()
// stays (base + sums) * scale and predict_class needs no float.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ctml/trees/dataset.hpp>
#include <ctml/trees/forest.hpp>

namespace ctml::trees {

template <class Q, std::size_t Features>
struct FeatureQuantizer {
  static_assert(std::is_same_v<Q, std::int16_t> || std::is_same_v<Q, std::int8_t>, "ctml::trees: features quantize to int16 or int8");
  static constexpr std::int32_t lo = std::numeric_limits<Q>::min(), hi = std::numeric_limits<Q>::max();
  std::array<float, Features> scale{};
  std::array<std::int32_t, Features> zero_point{};

  // In float (one multiply by the reciprocal: cheap on an FPU; the decisions stay exact for any
  // rounding of q, see the top of this file). Values beyond the range clamp before the
  // conversion, so no input overflows.
  constexpr Q quantize(std::size_t f, float x) const {
    const float v = x / scale[f] + static_cast<float>(zero_point[f]);
    if (!(v > static_cast<float>(lo))) return static_cast<Q>(lo);  // (NaN: lo; operator() sends NaN right)
    if (!(v < static_cast<float>(hi - 1))) return static_cast<Q>(hi - 1);
    return static_cast<Q>(static_cast<std::int32_t>(v < 0.0f ? v - 0.5f : v + 0.5f));
  }
  constexpr void operator()(const float* x, Q* q) const {
    for (std::size_t f = 0; f < Features; ++f) q[f] = x[f] != x[f] ? static_cast<Q>(hi - 1) : quantize(f, x[f]);  // NaN goes right
  }
  // The integer threshold equivalent to x < t (see the top of this file).
  constexpr Q threshold(std::size_t f, float t) const {
    const double v = static_cast<double>(t) / static_cast<double>(scale[f]) + zero_point[f];
    if (!(v > lo)) return static_cast<Q>(lo);
    if (!(v < hi)) return static_cast<Q>(hi);
    std::int64_t c = static_cast<std::int64_t>(v);  // v in (lo, hi): truncation, then ceil
    if (static_cast<double>(c) < v) ++c;
    return static_cast<Q>(c);
  }
};

// A quantizer from the training data: each feature's [min, max] onto [lo, hi - 1].
template <class Q, std::size_t Features>
FeatureQuantizer<Q, Features> fit_feature_quantizer(const Dataset& d) {
  FeatureQuantizer<Q, Features> fq{};
  constexpr double levels = static_cast<double>(FeatureQuantizer<Q, Features>::hi) - FeatureQuantizer<Q, Features>::lo - 1;
  for (std::size_t f = 0; f < Features && f < d.features; ++f) {
    float mn = d.at(0, f), mx = mn;
    for (std::size_t r = 1; r < d.rows; ++r) {
      const float v = d.at(r, f);
      mn = v < mn ? v : mn;
      mx = v > mx ? v : mx;
    }
    double s = (static_cast<double>(mx) - mn) / levels;
    if (!(s > 0)) s = mn != 0.0f ? (mn < 0 ? -static_cast<double>(mn) : mn) / levels : 1.0;
    fq.scale[f] = static_cast<float>(s);
    const double zp = FeatureQuantizer<Q, Features>::lo - static_cast<double>(mn) / static_cast<double>(fq.scale[f]);
    fq.zero_point[f] = static_cast<std::int32_t>(zp < 0 ? zp - 0.5 : zp + 0.5);
  }
  return fq;
}

// A quantizer from the model's own thresholds, no data needed: per feature, the thresholds'
// [min, max] onto [lo + 2, hi - 3] (two steps to spare on each side). A feature value beyond the
// outermost thresholds clamps to a value still beyond them, so the only decisions that change
// are those the rounding of values between thresholds changes. A feature no node tests: scale 1.
template <class Q, std::size_t Features, class F>
constexpr FeatureQuantizer<Q, Features> quantizer_from_thresholds(const F* feature, const float* threshold, std::size_t nodes) {
  using FQ = FeatureQuantizer<Q, Features>;
  FQ fq{};
  for (std::size_t f = 0; f < Features; ++f) {
    bool any = false;
    float mn = 0, mx = 0;
    for (std::size_t i = 0; i < nodes; ++i) {
      if (static_cast<std::size_t>(feature[i]) != f) continue;
      const float t = threshold[i];
      if (!(t == t) || t > 3.0e38f || t < -3.0e38f) continue;  // a NaN or huge threshold: no range from it
      mn = any && mn < t ? mn : t;
      mx = any && mx > t ? mx : t;
      any = true;
    }
    double s = 1.0, mid = 0.0;
    constexpr double usable = static_cast<double>(FQ::hi) - 3 - (FQ::lo + 2);
    if (any && mx > mn) {
      s = (static_cast<double>(mx) - mn) / usable;
      mid = (static_cast<double>(mx) + mn) / 2;
    } else if (any) {
      s = (mn < 0 ? -static_cast<double>(mn) : static_cast<double>(mn)) / (usable / 4);
      s = s > 0 ? s : 1.0;
      mid = mn;
    }
    fq.scale[f] = static_cast<float>(s);
    const double zp = (static_cast<double>(FQ::lo) + FQ::hi) / 2 - mid / static_cast<double>(fq.scale[f]);
    fq.zero_point[f] = static_cast<std::int32_t>(zp < 0 ? zp - 0.5 : zp + 0.5);
  }
  return fq;
}

template <class Q, class Shape, class L>
constexpr FeatureQuantizer<Q, Shape::features> quantizer_from_thresholds(const Forest<Shape, float, L>& f) {
  return quantizer_from_thresholds<Q, Shape::features>(f.feature.data(), f.threshold.data(), f.node_count);
}

// The same forest with integer thresholds (Q) and leaves (L: float to keep them, or int16/int8).
template <class Q, class L, class Shape>
constexpr Forest<Shape, Q, L> quantize(const Forest<Shape, float, float>& f, const FeatureQuantizer<Q, Shape::features>& fq) {
  Forest<Shape, Q, L> q{};
  q.feature = f.feature;
  q.left = f.left;
  q.right = f.right;
  for (std::size_t i = 0; i < Shape::nodes; ++i) q.threshold[i] = fq.threshold(f.feature[i], f.threshold[i]);
  q.root = f.root;
  q.group = f.group;
  q.base = f.base;
  q.scale = f.scale;
  q.link = f.link;
  q.tree_count = f.tree_count, q.node_count = f.node_count, q.leaf_count = f.leaf_count;
  if constexpr (std::is_same_v<L, float>) {
    q.leaf_value = f.leaf_value;
  } else {
    // One scale: the largest |leaf| onto the type's maximum; the base in leaf units.
    float m = 0;
    for (float v : f.leaf_value) m = (v < 0 ? -v : v) > m ? (v < 0 ? -v : v) : m;
    const double ls = m > 0 ? static_cast<double>(m) / std::numeric_limits<L>::max() : 1.0;
    for (std::size_t i = 0; i < f.leaf_value.size(); ++i) {
      const double v = static_cast<double>(f.leaf_value[i]) / ls;
      q.leaf_value[i] = static_cast<L>(v < 0 ? v - 0.5 : v + 0.5);
    }
    for (std::size_t k = 0; k < Shape::outputs; ++k) q.base[k] = static_cast<float>(static_cast<double>(f.base[k]) / ls);
    q.scale = static_cast<float>(static_cast<double>(f.scale) * ls);
  }
  return q;
}

}  // namespace ctml::trees
