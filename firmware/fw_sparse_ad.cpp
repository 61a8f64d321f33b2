// SPDX-License-Identifier: Apache-2.0
// Cost report image: the whole anomaly-detection autoencoder (fw_models.hpp's float model,
// BatchNorm folded), every Dense layer magnitude-pruned to 90 % at compile time, run dense and as
// sparse CSR layers on Cortex-M, one frame at a time and four frames per pass
// (Network::forward_batch). Weights of both networks are constexpr data in flash.
// Checks: the sparse network agrees with the dense one on the same pruned weights to float
// rounding; the batched run agrees with the frame-by-frame one.
// Output: one line per variant "NAME instructions=N speedup=R", sizes, then "fw_sparse_ad ... ok".
#include <cstddef>
#include <cstdint>
#include <utility>

#include <ctml/ctml.hpp>
#include <ctml/sparse.hpp>

#include "board.hpp"
#include "fw_models.hpp"

namespace fw {
using namespace ctml;

using AdFolded = folded_t<Ad>;

constexpr AdFolded make_pruned() {
  AdFolded m = fold_batchnorms(ad_model);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((void)[&] {
      if constexpr (requires { m.template layer<I>().weights; })
        sparse::prune_magnitude(m.template layer<I>().weights, 0.9);
    }(), ...);
  }(std::make_index_sequence<AdFolded::layer_count>{});
  return m;
}
constexpr AdFolded dense_ad = make_pruned();

// Layer I of the sparse twin: Dense layers become CSR with their NNZ counted at compile time.
template <std::size_t I>
constexpr auto sparse_layer() {
  if constexpr (requires { dense_ad.template layer<I>().weights; })
    return sparse::to_csr_layer<sparse::count_nonzero(dense_ad.template layer<I>().weights)>(dense_ad.template layer<I>());
  else
    return dense_ad.template layer<I>();
}
template <std::size_t... I>
auto sparse_chain(std::index_sequence<I...>) -> Chain<decltype(sparse_layer<I>())...>;
using SparseAd = decltype(sparse_chain(std::make_index_sequence<AdFolded::layer_count>{}));

constexpr SparseAd make_sparse() {
  SparseAd n{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    n.layers = {sparse_layer<I>()...};
  }(std::make_index_sequence<AdFolded::layer_count>{});
  return n;
}
constexpr SparseAd sparse_ad = make_sparse();

static_assert(SparseAd::param_bytes * 5 < AdFolded::param_bytes, "90 % pruned: under a fifth of the flash");
constexpr std::size_t frames = 4;
static_assert(SparseAd::batch_block == frames, "one pass per four frames on a scalar core");

}  // namespace fw

namespace {
alignas(16) std::byte arena_dense[fw::AdFolded::arena_bytes];
alignas(16) std::byte arena_sparse[fw::SparseAd::arena_bytes];
alignas(16) std::byte arena_batch[fw::SparseAd::batch_arena_bytes<fw::frames>];
fw::Ad::input_type x{};
fw::Ad::output_type y_dense{}, y_sparse{};
float x_frames[fw::frames * 640], y_frames[fw::frames * 640];

bool close(const float* a, const float* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const float d = a[i] - b[i], m = 1e-3f * (1.0f + (b[i] < 0 ? -b[i] : b[i]));
    if (d > m || d < -m) return false;
  }
  return true;
}

void report(const char* name, std::uint64_t n, std::uint64_t dense) {
  const double speedup = static_cast<double>(dense) / static_cast<double>(n);
  board::Out() << name << " instructions=" << n << " speedup=" << board::fixed(speedup, 2) << '\n';
}
}  // namespace

int main() {
  board::counter_start();
  bool ok = true;
  x = fw::make_input<fw::Ad::input_type>(99);

  const std::uint64_t dense = board::count_instructions([] { fw::dense_ad(x, y_dense, arena_dense); });
  report("ad f32 dense", dense, dense);
  const std::uint64_t sparse = board::count_instructions([] { fw::sparse_ad(x, y_sparse, arena_sparse); });
  ok &= close(y_sparse.data(), y_dense.data(), 640);
  report("ad f32 csr", sparse, dense);

  // Frame f: the input rotated by f elements.
  for (std::size_t f = 0; f < fw::frames; ++f)
    for (std::size_t i = 0; i < 640; ++i) x_frames[f * 640 + i] = x[(i + f) % 640];
  const std::uint64_t batch = board::count_instructions(
      [] { fw::sparse_ad.forward_batch<fw::frames>(x_frames, y_frames, fw::frames, arena_batch); });
  for (std::size_t f = 0; f < fw::frames; ++f) {
    for (std::size_t i = 0; i < 640; ++i) x[i] = x_frames[f * 640 + i];
    fw::sparse_ad(x, y_sparse, arena_sparse);
    ok &= close(y_frames + f * 640, y_sparse.data(), 640);
  }
  report("ad f32 csr batch4 per frame", batch / fw::frames, dense);

  board::Out() << "flash (weights): dense=" << fw::AdFolded::param_bytes << " csr=" << fw::SparseAd::param_bytes
               << "; arena: dense=" << fw::AdFolded::arena_bytes << " csr=" << fw::SparseAd::arena_bytes
               << " batch4=" << fw::SparseAd::batch_arena_bytes<fw::frames> << '\n';
  board::Out() << "fw_sparse_ad (" << board::name << ", AD autoencoder at 90 % sparsity): "
               << (ok ? "sparse outputs match the dense network ok\n" : "FAILED: sparse and dense outputs differ\n");
  return ok ? 0 : 1;
}
