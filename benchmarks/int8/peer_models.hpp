// SPDX-License-Identifier: Apache-2.0
// The four MLPerf Tiny int8 models the peer comparisons run (issue 22): KWS DS-CNN and the AD
// autoencoder imported by ctml-import from ../shared (kws.hpp, ad.hpp, generated at build time),
// and the zoo's ResNet-8 and MobileNetV1-0.25 (VWW, 96x96x3) as int8 models made by PTQ from
// random weights (their cost does not depend on the values). Benchmarks only.
#pragma once

#include <cstdint>
#include <memory>

#include <ctml/quant/ptq.hpp>
#include <ctml/quant/quantize_model.hpp>
#include <ctml/zoo/mlperf_tiny.hpp>

#include "ad.hpp"
#include "kws.hpp"
#include "random_net.hpp"  // tests/support: He-style random weights for the zoo types

namespace ctml_bench {

using namespace ctml;

// The zoo's ResNet-8 and MobileNetV1-0.25 as int8 models (PTQ of random weights: their cost does
// not depend on the values), made once.
template <class Net>
const auto& zoo_int8(std::uint32_t seed) {
  static const auto q = [seed] {
    auto net = std::make_unique<Net>();
    test::Rng r{seed};
    test::init_layer(*net, r);
    auto cal = std::make_unique<quant::Calibrator<Net>>(*net);
    for (int i = 0; i < 2; ++i) {
      auto x = std::make_unique<typename Net::input_type>();
      for (auto& v : *x) v = r.uniform(-1.0f, 1.0f);
      cal->observe(*x);
    }
    return std::make_unique<decltype(cal->quantize())>(cal->quantize());
  }();
  return q->model;
}

inline const auto& kws_model() { return kws::model; }
inline const auto& ad_model() { return ad::model; }
inline const auto& resnet8_model() { return zoo_int8<zoo::ResNet8<float>>(11); }
inline const auto& vww_model() { return zoo_int8<zoo::VwwMobileNetV1<float>>(7); }

}  // namespace ctml_bench
