// SPDX-License-Identifier: Apache-2.0
// Tree ensembles of depth 4-10 and 10-100 trees on Cortex-M under QEMU: instructions per
// prediction and flash bytes of ctml's data walk (Forest::predict_class), float and int16
// thresholds, and of the same trees expanded into nested comparisons (trees::Inlined, which is
// what a tree-to-C generator writes: the if-else baseline) where the model is small enough to
// expand. The forests are complete random trees made by the compiler (every path has Depth
// comparisons: the worst case of a tree of that depth; 16 features, 2 classes, pure leaves as a
// forest's shared rows); 64 random inputs. Every form must give the same class on every input.
// Each form is one function (a call included in its count). Output: one line per shape, then
// "fw_trees_bench ... ok"; the code bytes of each form: test fw_trees_bench_code_size.
#include <cstddef>
#include <cstdint>

#include <ctml/trees/forest.hpp>
#include <ctml/trees/inlined.hpp>
#include <ctml/trees/quantize.hpp>

#include "board.hpp"

namespace fw {
constexpr std::size_t features = 16, inputs = 64;

constexpr std::uint32_t lcg(std::uint32_t& s) { return s = s * 1664525u + 1013904223u; }

template <std::size_t Trees, std::size_t Depth>
using Shape = ctml::trees::ForestShape<features, 2, Trees, Trees * ((std::size_t{1} << Depth) - 1), 2, 2, Depth>;

// Trees of Depth levels, internal nodes in preorder: node (tree t, heap position p) splits a
// random feature at a random threshold in [-1, 1); the leaves alternate between the two rows.
template <std::size_t Trees, std::size_t Depth>
constexpr ctml::trees::Forest<Shape<Trees, Depth>> random_forest() {
  ctml::trees::Forest<Shape<Trees, Depth>> m{};
  constexpr std::size_t per_tree = (std::size_t{1} << Depth) - 1;
  std::uint32_t s = 12345u + static_cast<std::uint32_t>(Trees * 31 + Depth);
  using C = typename decltype(m)::child_type;
  for (std::size_t t = 0; t < Trees; ++t) {
    // Preorder index of a complete tree's node at depth d, reached by a path: build recursively
    // with an explicit counter.
    std::size_t next = t * per_tree;
    auto build = [&](auto& self, std::size_t d) -> C {
      if (d == Depth) return static_cast<C>(~static_cast<C>(lcg(s) >> 31));
      const std::size_t i = next++;
      m.feature[i] = static_cast<std::uint8_t>((lcg(s) >> 16) % features);
      m.threshold[i] = static_cast<float>(static_cast<int>((lcg(s) >> 16) % 2000) - 1000) / 1000.0f;
      m.left[i] = self(self, d + 1);
      m.right[i] = self(self, d + 1);
      return static_cast<C>(i);
    };
    m.root[t] = build(build, 0);
  }
  m.leaf_value = {1.0f, 0.0f, 0.0f, 1.0f};
  m.scale = 1.0f / static_cast<float>(Trees);
  return m;
}

template <std::size_t Trees, std::size_t Depth>
constexpr auto forest = random_forest<Trees, Depth>();
template <std::size_t Trees, std::size_t Depth>
constexpr auto quantizer = ctml::trees::quantizer_from_thresholds<std::int16_t>(forest<Trees, Depth>);
template <std::size_t Trees, std::size_t Depth>
constexpr auto qforest = ctml::trees::quantize<std::int16_t, float>(forest<Trees, Depth>, quantizer<Trees, Depth>);

// The flash check reads the largest model (check_image.sh: fw::forest<100u, 10u>).
}  // namespace fw

namespace {
bool ok = true;
float x[fw::inputs][fw::features];

// Each form as its own function (not inlined into the measurement), so that the code bytes of
// each can be read from the image: fw_trees_bench_code_size lists them (arm-none-eabi-nm -S).
template <std::size_t Trees, std::size_t Depth>
[[gnu::noinline]] std::size_t data_walk_float(const float* in) { return fw::forest<Trees, Depth>.predict_class(in); }
template <std::size_t Trees, std::size_t Depth>
[[gnu::noinline]] std::size_t data_walk_int16(const std::int16_t* in) { return fw::qforest<Trees, Depth>.predict_class(in); }
template <std::size_t Trees, std::size_t Depth>
[[gnu::noinline]] std::size_t inlined_float(const float* in) { return ctml::trees::Inlined<fw::forest<Trees, Depth>>::predict_class(in); }
template <std::size_t Trees, std::size_t Depth>
[[gnu::noinline]] std::size_t inlined_int16(const std::int16_t* in) { return ctml::trees::Inlined<fw::qforest<Trees, Depth>>::predict_class(in); }

template <std::size_t Trees, std::size_t Depth, bool Inline>
void run() {
  constexpr const auto& m = fw::forest<Trees, Depth>;
  constexpr const auto& qm = fw::qforest<Trees, Depth>;
  static_assert(m.valid() && qm.valid());
  std::uint64_t n_data = 0, n_qdata = 0, n_inl = 0, n_qinl = 0;
  std::size_t agree = 0;
  for (std::size_t r = 0; r < fw::inputs; ++r) {
    std::int16_t q[fw::features];
    fw::quantizer<Trees, Depth>(x[r], q);
    std::size_t a = 0, b = 0, c = 0, d = 0;
    // (opaque/keep: the classes stay in registers; see board.hpp)
    n_data += board::count_instructions([&] { a = data_walk_float<Trees, Depth>(&x[r][0]); board::keep(a); });
    n_qdata += board::count_instructions([&] { b = data_walk_int16<Trees, Depth>(&q[0]); board::keep(b); });
    if constexpr (Inline) {
      n_inl += board::count_instructions([&] { c = inlined_float<Trees, Depth>(&x[r][0]); board::keep(c); });
      n_qinl += board::count_instructions([&] { d = inlined_int16<Trees, Depth>(&q[0]); board::keep(d); });
    } else {
      c = a, d = b;
    }
    agree += a == c && b == d;
  }
  ok &= agree == fw::inputs;
  auto out = board::Out();
  out << Trees << " trees depth " << Depth << " (" << m.nodes << " internal nodes): data float=" << n_data / fw::inputs
      << " int16=" << n_qdata / fw::inputs;
  if constexpr (Inline) out << " | inlined float=" << n_inl / fw::inputs << " int16=" << n_qinl / fw::inputs;
  out << " instructions per prediction; flash float=" << sizeof(m) << " int16=" << sizeof(qm) << " bytes\n";
}
}  // namespace

int main() {
  board::counter_start();
  std::uint32_t s = 7;
  for (auto& row : x)
    for (auto& v : row) v = static_cast<float>(static_cast<int>((fw::lcg(s) >> 16) % 2000) - 1000) / 1000.0f;
  run<1, 4, true>();
  run<1, 6, true>();
  run<1, 8, true>();
  run<1, 10, false>();
  run<10, 4, true>();
  run<10, 6, true>();
  run<10, 10, false>();
  run<100, 4, false>();
  run<100, 6, false>();
  run<100, 10, false>();
  board::Out() << "fw_trees_bench (" << board::name << "): every form the same class " << (ok ? "ok\n" : "FAILED\n");
  return ok ? 0 : 1;
}
