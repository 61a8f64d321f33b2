// SPDX-License-Identifier: Apache-2.0
// Training step time per sample for the distill_digits student (Dense 64->32->10): forward with
// kept activations, cross-entropy or distillation loss, backward, and (per 32-sample batch) Adam.
//   ./build/default/benchmarks/bench_train_step --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <ctml/ctml.hpp>
#include <ctml/train.hpp>

using namespace ctml;

namespace {
using Student = Sequential<float, Shape<64>, Dense<32, Fuse<Activation::relu>>, Dense<10>>;

template <bool Distill>
void BM_student_step(benchmark::State& state) {
  static Student net{};
  static train::Trainer<Student> tr;
  static train::Adam<Student> opt{1e-3f};
  std::uint32_t s = 1;
  std::apply([&](auto&... t) { ((void)[&] { for (auto& v : t) v = static_cast<float>(static_cast<int>((s = s * 1664525u + 1013904223u) >> 16) - 32768) / 327680.0f; }(), ...); },
             net.parameters());
  Student::input_type x{};
  for (auto& v : x) v = static_cast<float>((s = s * 1664525u + 1013904223u) >> 28) / 16.0f;
  float teacher_logits[10] = {1, -1, 0.5f, 0, 2, -2, 0.1f, 0.3f, -0.7f, 0.9f};
  std::size_t n = 0;
  for (auto _ : state) {
    const auto& z = tr.forward(net, x);
    float dz[10];
    if constexpr (Distill) train::distillation<10>(z.data(), teacher_logits, 3, 0.7f, 4.0f, dz);
    else train::cross_entropy<10>(z.data(), 3, dz);
    tr.backward(net, x, dz);
    if (++n % 32 == 0) {
      opt.step(net, tr.grads, 1.0f / 32);
      tr.zero_grad();
    }
    benchmark::ClobberMemory();
  }
  state.counters["train_arena_B"] = static_cast<double>(train::Trainer<Student>::train_arena_bytes);
}
}  // namespace

BENCHMARK(BM_student_step<false>)->Name("student/labels_step_per_sample");
BENCHMARK(BM_student_step<true>)->Name("student/distill_step_per_sample");
