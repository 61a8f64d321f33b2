// Keyword spotting with the MLPerf Tiny DS-CNN, float: define the network as a type, check its
// memory against a RAM budget at compile time, print its summary, run one inference.
//
// The weights here are deterministic pseudo-random numbers, so the scores are not meaningful yet;
// see docs/int8.md for running the trained int8 model imported from a .tflite file.
#include <cstddef>
#include <cstdio>
#include <string_view>

#include <ctml/ctml.hpp>

using namespace ctml;

// 49 frames x 10 MFCC coefficients in, 12 keyword scores out ("yes", "no", ..., silence, unknown).
// The MLPerf Tiny DS-CNN from the model zoo (include/ctml/zoo/mlperf_tiny.hpp), a type like any
// other network:
//   Sequential<float, Shape<49, 10, 1>,
//              Conv2D<64, Kernel<10, 4>, Stride<2, 2>, Same>, BatchNorm, ReLU,
//              DsCnnBlock<>, DsCnnBlock<>, DsCnnBlock<>, DsCnnBlock<>,   // depthwise 3x3 + pointwise 1x1
//              AveragePool2D<Pool<25, 5>>, Flatten, Dense<12>, Softmax<>>
using Kws = zoo::KwsDsCnn<float>;

// The RAM budget is a compile-time fact: this line fails to compile if the activations outgrow it.
static_assert(Kws::arena_bytes <= 64 * 1024, "DS-CNN activations exceed the 64 KB RAM budget");
// The figures README.md quotes for this network.
static_assert(Kws::param_count == 24908 && Kws::macs == 2656768 && Kws::arena_bytes == 34560,
              "README.md's DS-CNN figures (parameters, MACs, arena) no longer hold");

namespace {
// A small linear congruential generator: deterministic weights and input without <random>.
struct Lcg {
  unsigned state;
  float next() {
    state = state * 1664525u + 1013904223u;
    return static_cast<float>(static_cast<int>(state >> 8) - (1 << 23)) / static_cast<float>(1 << 23);
  }
};

void fill(Kws& net) {
  Lcg rng{42};
  std::apply([&](auto&... tensor) { ((void)[&] { for (auto& v : tensor) v = 0.25f * rng.next(); }(), ...); },
             net.parameters());
  // BatchNorm variances must be positive: walk the layers and fix them.
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ([&] {
      auto& layer = net.layer<I>();
      if constexpr (requires { layer.running_var; })
        for (auto& v : layer.running_var) v = 1.0f + 0.5f * (v < 0 ? -v : v);
    }(), ...);
  }(std::make_index_sequence<Kws::layer_count>{});
}
}  // namespace

int main() {
  static Kws net{};  // ~100 KB of float parameters: static, not on the stack
  fill(net);

  summary(net, [](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stdout); });

  // Fill the input directly through data()/size(), as a sensor or DSP front end would.
  static Kws::input_type mfcc{};
  Lcg rng{7};
  for (std::size_t i = 0; i < mfcc.size(); ++i) mfcc.data()[i] = 4.0f * rng.next();

  static Kws::output_type scores{};
  alignas(16) static std::byte arena[Kws::arena_bytes];
  net(mfcc, scores, arena);

  std::size_t best = 0;
  double sum = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    std::printf("class %2zu  p=%.4f\n", i, static_cast<double>(scores[i]));
    if (scores[i] > scores[best]) best = i;
    sum += static_cast<double>(scores[i]);
  }
  std::printf("predicted class %zu; arena %zu bytes, %zu parameters, %zu MACs\n", best,
              Kws::arena_bytes, Kws::param_count, Kws::macs);
  return sum > 0.999 && sum < 1.001 ? 0 : 1;
}
