// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the digits examples: data access, deterministic split, initialisation, training loop
// (labels or distillation), accuracy.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include <ctml/ctml.hpp>
#include <ctml/train.hpp>

#include "data/digits/digits.inc"

namespace digits {

using namespace ctml;

constexpr std::size_t N = digits_data::samples;
constexpr std::size_t n_train = N * 70 / 100, n_val = N * 15 / 100, n_test = N - n_train - n_val;

inline std::size_t order[N];  // deterministic shuffle of the sample indices

// A 32-bit LCG: the same split and initialisation on every machine.
struct Rng {
  std::uint32_t s;
  std::uint32_t next() { return s = s * 1664525u + 1013904223u; }
  float uniform() { return static_cast<float>(next() >> 8) / static_cast<float>(1 << 24); }
};

inline Tensor<float, Shape<64>> input(std::size_t sample) {
  Tensor<float, Shape<64>> x{};
  for (std::size_t i = 0; i < 64; ++i) x[i] = static_cast<float>(digits_data::pixels[sample * 64 + i]) / 16.0f;
  return x;
}

template <class Net>
void init(Net& net, Rng& rng) {
  // He-style uniform initialisation per weight tensor, zero biases.
  std::apply([&](auto&... t) {
    ((void)[&] {
      using Tn = std::remove_cvref_t<decltype(t)>;
      if constexpr (Tn::rank == 2) {
        const float a = 2.0f * 1.7320508f / static_cast<float>(__builtin_sqrt(static_cast<double>(Tn::shape_type::extents[1])));
        for (auto& v : t) v = a * (rng.uniform() - 0.5f);
      } else {
        t.fill(0.0f);
      }
    }(), ...);
  }, net.parameters());
}

template <class Net>
std::size_t argmax_of(const Net& net, const Tensor<float, Shape<64>>& x) {
  const auto z = net.infer(x);
  std::size_t best = 0;
  for (std::size_t i = 1; i < 10; ++i)
    if (z[i] > z[best]) best = i;
  return best;
}

template <class Net>
double accuracy(const Net& net, std::size_t from, std::size_t count) {
  std::size_t ok = 0;
  for (std::size_t k = from; k < from + count; ++k)
    ok += argmax_of(net, input(order[k])) == digits_data::labels[order[k]];
  return static_cast<double>(ok) / static_cast<double>(count);
}

// Mini-batch training; with a teacher, the loss is the distillation loss on its logits.
template <class Net, class Teach = void, class Mask = std::nullptr_t>
void fit(Net& net, const char* name, int epochs, float lr, const Teach* teacher = nullptr, float alpha = 0.0f,
         float temperature = 1.0f, const Mask* mask = nullptr) {
  static train::Trainer<Net> tr;
  static train::Adam<Net> opt;
  opt = train::Adam<Net>{lr};
  constexpr std::size_t batch = 32;
  std::size_t idx[n_train];
  for (std::size_t i = 0; i < n_train; ++i) idx[i] = order[i];
  Rng rng{1234};
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (std::size_t i = n_train - 1; i > 0; --i) {  // Fisher-Yates, deterministic
      const std::size_t j = rng.next() % (i + 1);
      const std::size_t t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    double loss = 0;
    for (std::size_t b = 0; b < n_train; b += batch) {
      tr.zero_grad();
      const std::size_t end = b + batch < n_train ? b + batch : n_train;
      for (std::size_t k = b; k < end; ++k) {
        const auto x = input(idx[k]);
        const auto label = digits_data::labels[idx[k]];
        const auto& z = tr.forward(net, x);
        float dz[10];
        bool distil = false;
        if constexpr (!std::is_void_v<Teach>) distil = teacher != nullptr;
        if (!distil) {
          loss += train::cross_entropy<10>(z.data(), label, dz);
        } else if constexpr (!std::is_void_v<Teach>) {
          const auto zt = teacher->infer(x);
          loss += train::distillation<10>(z.data(), zt.data(), label, alpha, temperature, dz);
        }
        tr.backward(net, x, dz);
      }
      opt.step(net, tr.grads, 1.0f / static_cast<float>(end - b), mask);
    }
    if ((epoch + 1) % 10 == 0)
      std::fprintf(stderr, "%-18s epoch %3d  loss %.4f  val accuracy %.4f\n", name, epoch + 1,
                   loss / static_cast<double>(n_train), accuracy(net, n_train, n_val));
  }
}

// Deterministic 70/15/15 split: order[0, n_train) train, then validation, then test.
inline void make_split() {
  Rng split{2024};
  for (std::size_t i = 0; i < N; ++i) order[i] = i;
  for (std::size_t i = N - 1; i > 0; --i) {
    const std::size_t j = split.next() % (i + 1);
    const std::size_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}
inline constexpr std::size_t test_from = n_train + n_val;

}  // namespace digits
