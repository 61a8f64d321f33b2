// Pruning and sparse layers: sparse outputs equal the dense kernel on the same pruned weights;
// NNZ is computed, not written; structured pruning keeps the function of the kept units.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cmath>
#include <limits>
#include <vector>

#include <ctml/ctml.hpp>
#include <ctml/sparse.hpp>
#include <ctml/train.hpp>
#include "no_heap.hpp"
#include "one_at_a_time.hpp"

using namespace ctml;

namespace {
unsigned g_seed = 7;
float rnd() {
  g_seed = g_seed * 1664525u + 1013904223u;
  return static_cast<float>(static_cast<int>(g_seed >> 8) - (1 << 23)) / static_cast<float>(1 << 23);
}
template <class Tn>
void randomize(Tn& t) {
  for (auto& v : t) v = rnd();
}
// Through plain pointers: GCC 12 (arm-none-eabi, -O3) folds identical instantiations for
// different tensor sizes and then warns about the smaller one (-Warray-bounds false positive).
void check_close_n(const float* a, const float* b, std::size_t n, double tol) {
  for (std::size_t i = 0; i < n; ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(tol).scale(1.0));
}
template <class A, class B>
void check_close(const A& a, const B& b, std::size_t n, double tol = 1e-5) {
  check_close_n(a.data(), b.data(), n, tol);
}

// A constexpr layer pruned at compile time: its NNZ becomes a type fact.
using Fc = DenseLayer<float, Shape<64>, 32>;
constexpr Fc make_pruned_fc() {
  Fc d{};
  unsigned s = 11;
  for (auto& v : d.weights) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<float>(static_cast<int>(s >> 16) - 32768) / 32768.0f;
  }
  for (std::size_t i = 0; i < 32; ++i) d.bias[i] = 0.01f * static_cast<float>(i);
  sparse::prune_magnitude(d.weights, 0.9);
  return d;
}
constexpr Fc pruned_fc = make_pruned_fc();
constexpr auto csr_fc = sparse::compress<pruned_fc>();
static_assert(decltype(csr_fc)::nnz == sparse::count_nonzero(pruned_fc.weights));
static_assert(decltype(csr_fc)::nnz == 205, "10 % of 2048 weights, rounded");
static_assert(decltype(csr_fc)::weight_type::storage_bytes < Fc::weight_type::size_bytes() * 3 / 10);
}  // namespace

TEST_CASE("magnitude pruning removes exactly the smallest weights") {
  for (double s : {0.0, 0.5, 0.7, 0.9, 0.95, 1.0}) {
    Tensor<float, Shape<37, 19>> w{};
    randomize(w);
    const Tensor<float, Shape<37, 19>> orig = w;
    const std::size_t zeros = sparse::prune_magnitude(w, s);
    const auto want = static_cast<std::size_t>(s * 703 + 0.5);
    CHECK(zeros == want);
    CHECK(w.size() - sparse::count_nonzero(w) == want);
    float max_pruned = 0, min_kept = 1e9f;
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (w[i] == 0) max_pruned = std::max(max_pruned, std::abs(orig[i]));
      else {
        min_kept = std::min(min_kept, std::abs(orig[i]));
        CHECK(w[i] == orig[i]);
      }
    }
    if (want > 0 && want < w.size()) CHECK(max_pruned <= min_kept);
  }
}

// Reference for select_smallest: sort the positions by (|v|, position) and drop the first
// round(s * size); the radix select must drop exactly those, ties at the threshold included.
template <class Tn>
std::vector<bool> smallest_by_sorting(const Tn& w, double s) {
  std::vector<std::size_t> idx(Tn::size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  auto mag = [&](std::size_t i) { return std::abs(static_cast<double>(w.data()[i])); };
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return mag(a) < mag(b) || (mag(a) == mag(b) && a < b);
  });
  const auto n = static_cast<std::size_t>(std::clamp(s, 0.0, 1.0) * static_cast<double>(Tn::size()) + 0.5);
  std::vector<bool> drop(Tn::size(), false);
  for (std::size_t k = 0; k < n; ++k) drop[idx[k]] = true;
  return drop;
}

template <class Tn>
void check_selection(const Tn& w, double s) {
  std::vector<bool> got(Tn::size(), false);
  const std::size_t n = sparse::select_smallest(w, s, [&](std::size_t i) { got[i] = true; });
  const std::vector<bool> want = smallest_by_sorting(w, s);
  CHECK(n == static_cast<std::size_t>(std::count(want.begin(), want.end(), true)));
  CHECK(got == want);
}

TEST_CASE("magnitude selection equals a sort by (|v|, position), ties and signs included") {
  std::uint32_t state = 12345;
  auto next = [&] { state = state * 1664525u + 1013904223u; return state >> 8; };
  Tensor<std::int8_t, Shape<23, 29>> q{};  // few distinct magnitudes: many ties, -128 included
  for (auto& v : q) v = static_cast<std::int8_t>(static_cast<int>(next() % 256) - 128);
  Tensor<float, Shape<31, 17>> f{};  // duplicates, zeros, -0, both signs of one magnitude
  for (auto& v : f) {
    const std::uint32_t r = next() % 10;
    v = r == 0 ? 0.0f : r == 1 ? -0.0f : static_cast<float>(static_cast<int>(next() % 41) - 20) * 0.125f;
  }
  Tensor<double, Shape<64>> d{};
  for (auto& v : d) v = (static_cast<double>(next() % 2001) - 1000.0) * 1e-3;
  Tensor<std::int32_t, Shape<50>> big{};  // magnitudes up to 2^31 exercise the high digits
  for (auto& v : big) {
    v = static_cast<std::int32_t>(next() << 8 | next() % 256u);
    if (next() % 2 && v != std::numeric_limits<std::int32_t>::min()) v = -v;
  }
  big[3] = std::numeric_limits<std::int32_t>::min();
  for (double s : {0.0, 0.01, 0.3, 0.5, 0.77, 0.99, 1.0, 1.5, -0.25}) {
    CAPTURE(s);
    check_selection(q, s);
    check_selection(f, s);
    check_selection(d, s);
    check_selection(big, s);
  }
  // Constant evaluation counts 8-bit digits, run time 4-bit ones: the same selection.
  constexpr auto filled = [] {
    Tensor<float, Shape<41, 23>> t{};
    std::uint32_t x = 777;
    for (auto& v : t) {
      x = x * 1664525u + 1013904223u;
      v = static_cast<float>(static_cast<int>((x >> 8) % 129) - 64) * 0.0625f;
    }
    return t;
  };
  constexpr auto at_compile_time = [&] {
    auto t = filled();
    sparse::prune_magnitude(t, 0.63);
    return t;
  }();
  auto at_run_time = filled();
  sparse::prune_magnitude(at_run_time, 0.63);
  CHECK(std::equal(at_run_time.begin(), at_run_time.end(), at_compile_time.begin()));
  CHECK(sparse::count_nonzero(at_compile_time) <= 943 - 594);
  constexpr auto pruned = [] {
    Tensor<std::int8_t, Shape<8>> t{};
    const std::int8_t v[8] = {5, -3, 0, 3, -128, 1, -1, 3};
    for (std::size_t i = 0; i < 8; ++i) t[i] = v[i];
    sparse::prune_magnitude(t, 0.5);  // 0, 1, -1 and the first 3 (|-3| at position 1)
    return t;
  }();
  static_assert(pruned[0] == 5 && pruned[1] == 0 && pruned[2] == 0 && pruned[3] == 3 &&
                pruned[4] == -128 && pruned[5] == 0 && pruned[6] == 0 && pruned[7] == 3);
}

TEST_CASE("global pruning uses one threshold across layers and skips biases") {
  using Net = Sequential<float, Shape<20>, Dense<30>, ReLU, Dense<10>>;
  static Net net{};
  randomize(net.layer<0>().weights);
  randomize(net.layer<2>().weights);
  for (auto& v : net.layer<2>().weights) v *= 0.1f;  // a layer of small weights loses more
  net.layer<0>().bias.fill(1e-9f);
  sparse::prune_global(net, 0.6);
  const std::size_t nz0 = sparse::count_nonzero(net.layer<0>().weights);
  const std::size_t nz2 = sparse::count_nonzero(net.layer<2>().weights);
  CHECK((600 - nz0) + (300 - nz2) == 540);
  CHECK(sparse::sparsity_of(net.layer<2>().weights) > sparse::sparsity_of(net.layer<0>().weights));
  CHECK(sparse::count_nonzero(net.layer<0>().bias) == 30);
}

TEST_CASE("N:M pruning keeps the N largest of every M") {
  Tensor<float, Shape<8, 16>> w{};
  randomize(w);
  const auto orig = w;
  sparse::prune_n_m<2, 4>(w);
  CHECK(sparse::satisfies_n_m<2, 4>(w));
  CHECK(sparse::count_nonzero(w) == 64);
  for (std::size_t g = 0; g < 32; ++g) {
    std::vector<float> m;
    for (std::size_t i = 0; i < 4; ++i) m.push_back(std::abs(orig[g * 4 + i]));
    std::sort(m.begin(), m.end());
    for (std::size_t i = 0; i < 4; ++i)
      if (w[g * 4 + i] != 0) CHECK(std::abs(w[g * 4 + i]) >= m[2]);
  }
  sparse::prune_n_m<1, 4>(w);
  CHECK(sparse::satisfies_n_m<1, 4>(w));
  CHECK_FALSE(sparse::satisfies_n_m<1, 4>(orig));
}

TEST_CASE("CSR, N:M and unrolled dense layers equal the dense layer on the same weights") {
  Fc::input_type x{};
  randomize(x);
  Fc::output_type dense{}, csr{}, unrolled{}, nm{};
  pruned_fc.forward(x.data(), dense.data(), nullptr);
  csr_fc.forward(x.data(), csr.data(), nullptr);
  check_close(csr, dense, 32);
  sparse::StaticCsrDense<pruned_fc>{}.forward(x.data(), unrolled.data(), nullptr);
  check_close(unrolled, dense, 32);

  static Fc d24 = pruned_fc;
  randomize(d24.weights);
  sparse::prune_n_m<2, 4>(d24.weights);
  const auto nm_layer = sparse::to_n_m_layer<2, 4>(d24);
  Fc::output_type want{};
  d24.forward(x.data(), want.data(), nullptr);
  nm_layer.forward(x.data(), nm.data(), nullptr);
  check_close(nm, want, 32);
  static_assert(decltype(nm_layer)::macs == 32 * 32);
}

TEST_CASE("sliced CSR equals the dense layer, also with a partial last slice") {
  using D = DenseLayer<float, Shape<45>, 30, Activation::relu>;
  for (double s : {0.0, 0.5, 0.8, 0.95}) {
    static D d{};
    randomize(d.weights);
    randomize(d.bias);
    sparse::prune_magnitude(d.weights, s);
    const auto nz = sparse::count_nonzero(d.weights);
    D::input_type x{};
    randomize(x);
    D::output_type want{}, got{}, got_csr{};
    d.forward(x.data(), want.data(), nullptr);
    // The NNZ argument comes from the weights at run time here; check it is the one counted.
    auto run = [&]<std::size_t NNZ>() {
      REQUIRE(nz == NNZ);
      const auto sl = sparse::to_sliced_layer<NNZ>(d);
      sl.forward(x.data(), got.data(), nullptr);
      const auto cs = sparse::to_csr_layer<NNZ>(d);
      cs.forward(x.data(), got_csr.data(), nullptr);
      std::size_t seen = 0;
      sl.weights.for_each([&](std::size_t r, std::size_t c, float v) {
        CHECK(d.weights(r, c) == v);
        ++seen;
      });
      CHECK(seen == NNZ);
    };
    if (s == 0.0) run.template operator()<1350>();
    if (s == 0.5) run.template operator()<675>();
    if (s == 0.8) run.template operator()<270>();
    if (s == 0.95) run.template operator()<67>();
    check_close(got, want, 30);
    check_close(got_csr, want, 30);
  }
}

TEST_CASE("sliced CSR with 16-bit column indices (more than 256 inputs) equals the dense layer") {
  // The float kernel fetches a lane group's four indices with one load; cover the uint16 width.
  using D = DenseLayer<float, Shape<300>, 13>;
  static D d{};
  randomize(d.weights);
  randomize(d.bias);
  sparse::prune_magnitude(d.weights, 0.9);
  REQUIRE(sparse::count_nonzero(d.weights) == 390);
  const auto sl = sparse::to_sliced_layer<390>(d);
  static_assert(std::is_same_v<decltype(sl.weights)::col_index, std::uint16_t>);
  D::input_type x{};
  randomize(x);
  D::output_type want{}, got{};
  d.forward(x.data(), want.data(), nullptr);
  sl.forward(x.data(), got.data(), nullptr);
  check_close(got, want, 13);
}

namespace {
// One scratch buffer per precision for all the conv checks: a static inside the generic lambdas
// would be one buffer per instantiation (over 100 KB on the Cortex-M55 test runner's RAM).
alignas(16) float conv_scratch_f32[4096];
alignas(16) std::int8_t conv_scratch_s8[8192];
}  // namespace

TEST_CASE("sparse convolutions (general, strided, dilated, Conv1D, depthwise) equal the dense ones") {
  auto check_conv = [](auto& dense, auto prune, auto to_sp) {
    using L = std::remove_cvref_t<decltype(dense)>;
    randomize(dense.weights);
    randomize(dense.bias);
    if constexpr (std::is_same_v<decltype(prune), double>) sparse::prune_magnitude(dense.weights, prune);
    else prune(dense.weights);
    static typename L::input_type x{};
    randomize(x);
    static typename L::output_type want{}, got{};
    float* scratch = conv_scratch_f32;
    dense.forward(x.data(), want.data(), scratch);
    const auto sp = to_sp(dense);
    static_assert(decltype(sp)::scratch_size <= 4096);
    sp.forward(x.data(), got.data(), scratch);
    check_close(got, want, want.size());
    return sp;
  };
  {  // 3x3 same, stride 2
    using C = bind_t<Conv2D<6, Kernel<3>, Same, Stride<2>, Fuse<Activation::relu6>>, float, Shape<9, 7, 4>>;
    static C c{};
    const auto sp = check_conv(c, 0.7, [](const C& l) { return sparse::to_csr_layer<65>(l); });
    static_assert(decltype(sp)::macs == 65 * C::output_type::size() / 6);
    check_conv(c, 0.7, [](const C& l) { return sparse::to_sliced_layer<65>(l); });
  }
  {  // DS-CNN's first conv: 10x4 kernel, stride 2, same padding, one input channel
    using C = bind_t<Conv2D<16, Kernel<10, 4>, Same, Stride<2>>, float, Shape<49, 10, 1>>;
    static C c{};
    check_conv(c, 0.8, [](const C& l) { return sparse::to_csr_layer<128>(l); });
  }
  {  // dilated valid
    using C = bind_t<Conv2D<3, Kernel<3>, Valid, Dilation<2>>, float, Shape<8, 8, 5>>;
    static C c{};
    check_conv(c, 0.5, [](const C& l) { return sparse::to_csr_layer<67>(l); });
  }
  {  // Conv1D, same padding (N:M works along the 1-D kernel too)
    using C = bind_t<Conv1D<8, Kernel<3>, Same>, float, Shape<20, 8>>;
    static C c{};
    check_conv(c, 0.75, [](const C& l) { return sparse::to_csr_layer<48>(l); });
    check_conv(c, [](auto& w) { sparse::prune_n_m<1, 4>(w); },
               [](const C& l) { return sparse::to_n_m_layer<1, 4>(l); });
  }
  {  // depthwise 3x3 same, multiplier 2
    using C = bind_t<DepthwiseConv2D<Kernel<3>, Same, DepthMultiplier<2>>, float, Shape<6, 5, 4>>;
    static C c{};
    const auto sp = check_conv(c, 0.6, [](const C& l) { return sparse::to_csr_layer<29>(l); });
    static_assert(decltype(sp)::name == std::string_view{"SparseDepthwiseConv2D"});
  }
}

TEST_CASE("sparse pointwise conv runs in place and equals the dense conv") {
  using Pw = bind_t<Conv2D<16, Kernel<1, 1>, Fuse<Activation::relu>>, float, Shape<5, 4, 16>>;
  static Pw conv{};
  randomize(conv.weights);
  randomize(conv.bias);
  sparse::prune_magnitude(conv.weights, 0.8);
  REQUIRE(sparse::count_nonzero(conv.weights) == 51);
  const auto sp = sparse::to_csr_layer<51>(conv);
  static_assert(decltype(sp)::in_place);
  Pw::input_type x{};
  randomize(x);
  Pw::output_type want{};
  // SIMD hosts interleave eight pixels into scratch (plus 16 bytes to align it); scalar cores read
  // four pixels in place, copying them first when running in place.
  using Sp = std::remove_cvref_t<decltype(sp)>;
  static_assert(kernels::interleave_vectorised ? (Sp::interleaved && Sp::scratch_size == 16 * 8 + 4)
                                               : (Sp::pixel_block == 4 && Sp::scratch_size == 64));
  float scratch[decltype(sp)::scratch_size];
  conv.forward(x.data(), want.data(), scratch);
  Pw::input_type y = x;
  sp.forward(y.data(), y.data(), scratch);
  check_close(y, want, want.size());
  // 21 pixels: five blocks of four and one single pixel (SIMD hosts: two blocks of eight, five
  // single pixels).
  using Pw21 = bind_t<Conv2D<12, Kernel<1, 1>>, float, Shape<7, 3, 16>>;
  static Pw21 c21{};
  randomize(c21.weights);
  randomize(c21.bias);
  sparse::prune_magnitude(c21.weights, 0.5);
  const auto s21 = sparse::to_csr_layer<96>(c21);
  static Pw21::input_type x21{};
  randomize(x21);
  static Pw21::output_type w21{};
  c21.forward(x21.data(), w21.data(), scratch);
  static Pw21::input_type y21{};
  y21 = x21;
  s21.forward(y21.data(), y21.data(), scratch);
  check_close(y21, w21, w21.size());
}

TEST_CASE("batched sparse Dense: forward_batch equals forward frame by frame and the dense layer") {
  using D = DenseLayer<float, Shape<99>, 37, Activation::relu>;  // odd sizes: ragged vectors and rows
  static D d{};
  randomize(d.weights);
  randomize(d.bias);
  sparse::prune_magnitude(d.weights, 0.9);
  REQUIRE(sparse::count_nonzero(d.weights) == 366);
  static const auto sp = sparse::to_csr_layer<366>(d);
  using S = std::remove_cvref_t<decltype(sp)>;
  static_assert(S::batch_block == kernels::interleave_block && S::batch_block >= 4);
  static_assert(S::batch_scratch_size == 99 * S::batch_block + 4);
  // 11 frames: whole blocks and a remainder that runs one frame at a time.
  constexpr std::size_t n = 11;
  static std::array<float, 99 * n> in{};
  static std::array<float, 37 * n> got{}, want{}, sliced{};
  randomize(in);
  static std::array<float, S::batch_scratch_size + 1> scratch{};
  {
    ctml::test::NoHeapScope guard;
    // Scratch deliberately misaligned by one float: the layer aligns it itself.
    sp.forward_batch(in.data(), got.data(), n, scratch.data() + 1);
    d.forward_batch(in.data(), want.data(), n, nullptr);
    CHECK(guard.allocations() == 0);
  }
  check_close(got, want, got.size());
  for (std::size_t f = 0; f < n; ++f) {
    D::output_type one{};
    sp.forward(in.data() + f * 99, one.data(), nullptr);
    check_close_n(got.data() + f * 37, one.data(), 37, 1e-5);
  }
  // The sliced format has no batched kernel: forward_batch runs frame by frame.
  const auto sl = sparse::to_sliced_layer<366>(d);
  static_assert(decltype(sl)::batch_block == 1 && decltype(sl)::batch_scratch_size == 0);
  sl.forward_batch(in.data(), sliced.data(), n, nullptr);
  check_close(sliced, want, want.size());
}

namespace {
// The interleaved kernel in a constant expression (the generic path), against forward per frame.
constexpr bool batch_matches_in_constexpr() {
  std::array<float, 64 * 5> in{};
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(static_cast<int>(i % 13) - 6) * 0.25f;
  std::array<float, 32 * 5> batched{}, single{};
  std::array<float, decltype(csr_fc)::batch_scratch_size> scratch{};
  csr_fc.forward_batch(in.data(), batched.data(), 5, scratch.data());
  for (std::size_t f = 0; f < 5; ++f) csr_fc.forward(in.data() + f * 64, single.data() + f * 32, nullptr);
  for (std::size_t i = 0; i < batched.size(); ++i) {
    const float d = batched[i] - single[i];
    if (d > 1e-4f || d < -1e-4f) return false;
  }
  return true;
}
static_assert(batch_matches_in_constexpr());

// interleave: xt[i * P + p] = x[p * stride + i], vector blocks and a ragged end.
TEST_CASE("interleave puts element i of P inputs together") {
  alignas(16) std::array<float, 8 * 11> xt{};
  std::array<float, 8 * 13> x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  kernels::interleave<8, 11>(x.data(), 13, xt.data());
  for (std::size_t i = 0; i < 11; ++i)
    for (std::size_t p = 0; p < 8; ++p) CHECK(xt[i * 8 + p] == x[p * 13 + i]);
  // int8, four inputs: the word-wise byte transpose (Cortex-M batches) and its ragged end.
  std::array<std::int8_t, 4 * 11> bt{};
  std::array<std::int8_t, 4 * 13> bx{};
  for (std::size_t i = 0; i < bx.size(); ++i) bx[i] = static_cast<std::int8_t>(static_cast<int>(i * 7) - 100);
  kernels::interleave<4, 11>(bx.data(), 13, bt.data());
  for (std::size_t i = 0; i < 11; ++i)
    for (std::size_t p = 0; p < 4; ++p) CHECK(bt[i * 4 + p] == bx[p * 13 + i]);
  // int8, eight inputs: the 8x8 byte transpose (x86) and its ragged end.
  std::array<std::int8_t, 8 * 19> b8{};
  std::array<std::int8_t, 8 * 21> bx8{};
  for (std::size_t i = 0; i < bx8.size(); ++i) bx8[i] = static_cast<std::int8_t>(static_cast<int>(i * 11 % 256) - 128);
  kernels::interleave<8, 19>(bx8.data(), 21, b8.data());
  for (std::size_t i = 0; i < 19; ++i)
    for (std::size_t p = 0; p < 8; ++p) CHECK(b8[i * 8 + p] == bx8[p * 21 + i]);
}
}  // namespace

TEST_CASE("a sparse layer drops into a Sequential-built network") {
  // Build the network from concrete layers: the CSR layer replaces the dense one.
  using Sp = sparse::CsrDenseLayer<float, Shape<64>, 32, 205>;
  struct Net {
    Sp fc;
    ReLULayer<float, Shape<32>> act;
    DenseLayer<float, Shape<32>, 4> out;
  };
  static Network<Net> net{};
  net.layers.fc = csr_fc;
  randomize(net.layers.out.weights);
  static_assert(Network<Net>::macs == 205 + 128);
  Fc::input_type x{};
  randomize(x);
  Network<Net>::output_type y{};
  alignas(16) static std::byte arena[Network<Net>::arena_bytes];
  ctml::test::NoHeapScope guard;
  net(x, y, arena);
  CHECK(guard.allocations() == 0);
}

TEST_CASE("a network with sparse layers runs batches: forward_batch equals one input at a time") {
  // An autoencoder-like chain: sparse 64->32, ReLU (in place), dense 32->16, sparse-free tail.
  using Sp = sparse::CsrDenseLayer<float, Shape<64>, 32, 205>;
  struct Net {
    Sp enc;
    ReLULayer<float, Shape<32>> act;
    DenseLayer<float, Shape<32>, 16, Activation::relu> mid;
    DenseLayer<float, Shape<16>, 64> dec;
  };
  using N = Network<Net>;
  static_assert(N::batch_block == kernels::interleave_block, "the sparse layer sets the block");
  // Four inputs in flight: activations 4x, plus the sparse layer's interleave scratch.
  static_assert(N::batch_arena_bytes<4> >= 4 * 32 * sizeof(float) && N::batch_arena_bytes<4> > N::arena_bytes);
  static_assert(N::batch_arena_bytes<8> > N::batch_arena_bytes<4>);
  static N net{};
  net.layers.enc = csr_fc;
  randomize(net.layers.mid.weights);
  randomize(net.layers.mid.bias);
  randomize(net.layers.dec.weights);
  constexpr std::size_t n = 13;  // blocks and a short last block
  static std::array<float, 64 * n> in{};
  static std::array<float, 64 * n> got4{}, got{}, want{};
  randomize(in);
  alignas(16) static std::byte arena[N::arena_bytes];
  alignas(16) static std::byte arena4[N::batch_arena_bytes<4>];
  alignas(16) static std::byte arena_b[N::batch_arena_bytes<N::batch_block>];
  {
    ctml::test::NoHeapScope guard;
    net.forward_batch<4>(in.data(), got4.data(), n, arena4);
    net.forward_batch(in.data(), got.data(), n, std::span<std::byte>(arena_b));
    ctml::test::one_at_a_time(net, in.data(), want.data(), n, arena);
    CHECK(guard.allocations() == 0);
  }
  check_close(got4, want, want.size());
  check_close(got, want, want.size());
}

TEST_CASE("structured pruning: the kept units compute what they computed before") {
  using Net = Sequential<float, Shape<12>, Dense<24>, ReLU, Dense<5>>;
  static Net net{};
  std::apply([](auto&... t) { (randomize(t), ...); }, net.parameters());
  auto [fc1, fc2] = sparse::keep_units<10>(net.layer<0>(), net.layer<2>());
  using Small = Chain<decltype(fc1), ReLULayer<float, Shape<10>>, decltype(fc2)>;
  static_assert(std::is_same_v<Small::layer_type<0>, DenseLayer<float, Shape<12>, 10>>);
  static_assert(Small::param_count < Net::param_count);
  Small small{};
  small.layer<0>() = fc1;
  small.layer<2>() = fc2;

  // The big net with the removed units' outgoing weights zeroed must equal the small net.
  std::vector<double> norm(24);
  for (std::size_t u = 0; u < 24; ++u) {
    double s = double(net.layer<0>().bias[u]) * net.layer<0>().bias[u];
    for (std::size_t i = 0; i < 12; ++i) s += double(net.layer<0>().weights(u, i)) * net.layer<0>().weights(u, i);
    norm[u] = s;
  }
  std::vector<double> sorted = norm;
  std::sort(sorted.rbegin(), sorted.rend());
  for (std::size_t u = 0; u < 24; ++u)
    if (norm[u] < sorted[9])
      for (std::size_t v = 0; v < 5; ++v) net.layer<2>().weights(v, u) = 0;
  Net::input_type x{};
  randomize(x);
  const auto a = net.infer(x);
  const auto b = small.infer(x);
  check_close(a, b, 5);
}

TEST_CASE("structured pruning of conv filters shrinks the next conv's input channels") {
  using C1 = bind_t<Conv2D<8, Kernel<3>, Same>, float, Shape<6, 6, 3>>;
  using C2 = bind_t<Conv2D<4, Kernel<3>, Same>, float, Shape<6, 6, 8>>;
  static C1 a{};
  static C2 b{};
  randomize(a.weights);
  randomize(b.weights);
  randomize(a.bias);
  for (std::size_t f = 0; f < 3; ++f)  // three weak filters
    for (std::size_t i = 0; i < 27; ++i) a.weights[f * 27 + i] *= 0.01f;
  for (std::size_t f = 0; f < 3; ++f) a.bias[f] = 0;
  auto [a2, b2] = sparse::keep_filters<5>(a, b);
  static_assert(std::is_same_v<decltype(b2)::input_type, Tensor<float, Shape<6, 6, 5>>>);
  // Removing the weak filters is the same as zeroing their contribution in b.
  for (std::size_t o = 0; o < 4; ++o)
    for (std::size_t t = 0; t < 9; ++t)
      for (std::size_t c = 0; c < 3; ++c) b.weights[(o * 9 + t) * 8 + c] = 0;
  C1::input_type x{};
  randomize(x);
  C1::output_type h{};
  C2::output_type want{}, got{};
  a.forward(x.data(), h.data(), nullptr);
  b.forward(h.data(), want.data(), nullptr);
  decltype(a2)::output_type h2{};
  a2.forward(x.data(), h2.data(), nullptr);
  b2.forward(h2.data(), got.data(), nullptr);
  check_close(got, want, want.size());
}

TEST_CASE("masks: prune, update, repeat keeps pruned weights at zero") {
  using Net = Sequential<float, Shape<16>, Dense<16>, ReLU, Dense<4>>;
  static Net net{};
  std::apply([](auto&... t) { (randomize(t), ...); }, net.parameters());
  static sparse::Masks<Net> masks{};
  masks.reset();
  for (double s : {0.3, 0.5, 0.8}) {
    masks.prune_to(net, s);
    const auto zero_before = sparse::count_nonzero(net.layer<0>().weights) + sparse::count_nonzero(net.layer<2>().weights);
    // A "training step" that would revive every weight.
    for (auto& v : net.layer<0>().weights) v += 0.5f;
    for (auto& v : net.layer<2>().weights) v += 0.5f;
    masks.apply(net);
    CHECK(sparse::count_nonzero(net.layer<0>().weights) + sparse::count_nonzero(net.layer<2>().weights) <= zero_before);
    CHECK(320 - (sparse::count_nonzero(net.layer<0>().weights) + sparse::count_nonzero(net.layer<2>().weights)) ==
          static_cast<std::size_t>(s * 320 + 0.5));
  }
  CHECK(sparse::count_nonzero(net.layer<0>().bias) == 16);  // biases untouched
}

TEST_CASE("pruning and sparse inference allocate nothing") {
  static Fc d{};
  randomize(d.weights);
  Fc::input_type x{};
  randomize(x);
  Fc::output_type y{};
  ctml::test::NoHeapScope guard;
  sparse::prune_magnitude(d.weights, 0.75);
  sparse::prune_n_m<1, 4>(d.weights);
  const auto nm = sparse::to_n_m_layer<1, 4>(d);
  nm.forward(x.data(), y.data(), nullptr);
  csr_fc.forward(x.data(), y.data(), nullptr);
  CHECK(guard.allocations() == 0);
}

// ---- int8: bit-identical to the dense int8 kernels on the same pruned weights ----------------------
namespace {
constexpr unsigned lcg(unsigned& s) { return s = s * 1664525u + 1013904223u; }

// Weights, bias, per-channel multipliers and zero points of a dense int8 layer (any of the three).
template <class Q>
constexpr void fill_q(Q& q, unsigned seed, std::size_t channels) {
  for (auto& w : q.weights) w = static_cast<std::int8_t>(static_cast<int>(lcg(seed) >> 24) - 128);
  for (std::size_t c = 0; c < channels; ++c) {
    q.bias[c] = static_cast<std::int32_t>(lcg(seed) >> 20) - 2048;
    const auto m = quant::quantize_multiplier(0.0005 + 0.00003 * static_cast<double>(c));
    q.multiplier[c] = m.value;
    q.shift[c] = m.shift;
  }
  q.input_zero_point = -9;
  q.output_zero_point = 5;
  q.act_min = -120;
  q.act_max = 110;
}

using QD = quant::QDenseLayer<Shape<96>, 20>;
constexpr QD make_qd() {
  QD q{};
  fill_q(q, 3, 20);
  sparse::prune_magnitude(q.weights, 0.85);
  q.prepare();
  return q;
}
constexpr QD qd = make_qd();
constexpr auto qd_csr = sparse::compress<qd>();
constexpr auto qd_sliced = sparse::compress<qd, sparse::sliced_format>();
static_assert(decltype(qd_csr)::nnz == 1920 - 1632);
static_assert(std::is_same_v<decltype(qd_csr)::weight_type::col_index, std::uint8_t>);

template <class L>
constexpr typename L::output_type run_layer(const L& l, const typename L::input_type& x) {
  typename L::output_type y{};
  std::array<typename L::input_type::value_type, ctml::layer_traits<L>::scratch_size + 1> scratch{};
  l.forward(x.data(), y.data(), scratch.data());
  return y;
}
constexpr QD::input_type make_qx() {
  QD::input_type x{};
  unsigned s = 99;
  for (auto& v : x) v = static_cast<std::int8_t>(static_cast<int>(lcg(s) >> 24) - 128);
  return x;
}
// Even in a constant expression the sparse int8 layer reproduces the dense one.
static_assert(run_layer(qd_csr, make_qx()) == run_layer(qd, make_qx()));
}  // namespace

TEST_CASE("int8 sparse Dense (CSR, sliced, N:M) is bit-identical to the dense int8 kernel") {
  for (unsigned seed = 1; seed < 6; ++seed) {
    QD::input_type x{};
    unsigned s = seed * 7919u;
    for (auto& v : x) v = static_cast<std::int8_t>(static_cast<int>(lcg(s) >> 24) - 128);
    const auto want = run_layer(qd, x);
    CHECK(run_layer(qd_csr, x) == want);
    CHECK(run_layer(qd_sliced, x) == want);
  }
  // The zero-point correction uses the pruned weight sums: same effective bias as the dense layer.
  for (std::size_t r = 0; r < 20; ++r) CHECK(qd_csr.effective_bias[r] == qd.effective_bias[r]);

  static QD q24{};
  fill_q(q24, 17, 20);
  sparse::prune_n_m<2, 4>(q24.weights);
  q24.prepare();
  const auto nm = sparse::to_n_m_layer<2, 4>(q24);
  static QD q14 = q24;
  sparse::prune_n_m<1, 4>(q14.weights);
  q14.prepare();
  const auto nm14 = sparse::to_n_m_layer<1, 4>(q14);
  static_assert(decltype(nm14)::weight_type::storage_bytes == 20 * (24 + 6));
  QD::input_type x = make_qx();
  CHECK(run_layer(nm, x) == run_layer(q24, x));
  CHECK(run_layer(nm14, x) == run_layer(q14, x));
}

namespace {
// int8 batch in a constant expression: exact, so equal to forward() per frame.
constexpr bool q_batch_matches_in_constexpr() {
  constexpr std::size_t n = kernels::interleave_block + 1;
  std::array<std::int8_t, 96 * n> in{};
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::int8_t>(static_cast<int>(i * 37 % 251) - 125);
  std::array<std::int8_t, 20 * n> batched{}, single{};
  std::array<std::int8_t, decltype(qd_csr)::batch_scratch_size> scratch{};
  qd_csr.forward_batch(in.data(), batched.data(), n, scratch.data());
  for (std::size_t f = 0; f < n; ++f) qd_csr.forward(in.data() + f * 96, single.data() + f * 20, nullptr);
  return batched == single;
}
static_assert(q_batch_matches_in_constexpr());
}  // namespace

TEST_CASE("int8 batched sparse Dense: forward_batch is bit-identical to the dense int8 layer per frame") {
  using S = std::remove_cvref_t<decltype(qd_csr)>;
  static_assert(S::batch_block == kernels::interleave_block && S::batch_scratch_size == 96 * S::batch_block + 16);
  static_assert(decltype(qd_sliced)::batch_block == 1 && decltype(qd_sliced)::batch_scratch_size == 0);
  // 2 blocks + 3 frames on SIMD hosts (block 8), 4 blocks + 3 on scalar cores (block 4).
  constexpr std::size_t n = 2 * kernels::interleave_block + 3;
  static std::array<std::int8_t, 96 * n> in{};
  static std::array<std::int8_t, 20 * n> got{}, sliced{};
  unsigned s = 4242;
  for (auto& v : in) v = static_cast<std::int8_t>(static_cast<int>(lcg(s) >> 24) - 128);
  static std::array<std::int8_t, S::batch_scratch_size + 3> scratch{};
  {
    ctml::test::NoHeapScope guard;
    qd_csr.forward_batch(in.data(), got.data(), n, scratch.data() + 3);  // misaligned on purpose
    qd_sliced.forward_batch(in.data(), sliced.data(), n, nullptr);
    CHECK(guard.allocations() == 0);
  }
  for (std::size_t f = 0; f < n; ++f) {
    QD::input_type x{};
    for (std::size_t i = 0; i < 96; ++i) x[i] = in[f * 96 + i];
    const auto want = run_layer(qd, x);
    for (std::size_t r = 0; r < 20; ++r) {
      CHECK(got[f * 20 + r] == want[r]);
      CHECK(sliced[f * 20 + r] == want[r]);
    }
  }
}

TEST_CASE("int8 network batches are bit-identical to one input at a time") {
  struct QNet {
    std::remove_cvref_t<decltype(qd_csr)> fc1;
    quant::QDenseLayer<Shape<20>, 7> fc2;
  };
  using N = Network<QNet>;
  static N net{};
  net.layers.fc1 = qd_csr;
  fill_q(net.layers.fc2, 5, 7);
  net.layers.fc2.input_zero_point = qd_csr.output_zero_point;
  net.layers.fc2.prepare();
  constexpr std::size_t n = 2 * N::batch_block + 1;
  static std::array<std::int8_t, 96 * n> in{};
  static std::array<std::int8_t, 7 * n> got{};
  unsigned s = 77;
  for (auto& v : in) v = static_cast<std::int8_t>(static_cast<int>(lcg(s) >> 24) - 128);
  alignas(16) static std::byte arena[N::arena_bytes];
  alignas(16) static std::byte arena_b[N::batch_arena_bytes<N::batch_block>];
  net.forward_batch(in.data(), got.data(), n, arena_b);
  static std::array<std::int8_t, 7 * n> want{};
  ctml::test::one_at_a_time(net, in.data(), want.data(), n, arena);
  for (std::size_t f = 0; f < n; ++f)
    for (std::size_t r = 0; r < 7; ++r) CHECK(got[f * 7 + r] == want[f * 7 + r]);
}

TEST_CASE("int8 sparse convolutions are bit-identical to the dense int8 convolutions") {
  auto check = [](auto& q, std::size_t channels, double s, auto to_sp) {
    using Q = std::remove_cvref_t<decltype(q)>;
    fill_q(q, 23, channels);
    sparse::prune_magnitude(q.weights, s);
    if constexpr (requires { q.prepare(); }) q.prepare();
    static typename Q::input_type x{};
    unsigned seed = 5;
    for (auto& v : x) v = static_cast<std::int8_t>(static_cast<int>(lcg(seed) >> 24) - 128);
    std::int8_t* scratch = conv_scratch_s8;
    static typename Q::output_type want{}, got{};
    q.forward(x.data(), want.data(), scratch);
    const auto sp = to_sp(q);
    static_assert(decltype(sp)::scratch_size <= 8192);
    if constexpr (decltype(sp)::in_place) {  // pointwise: run in place
      static typename Q::input_type y{};
      y = x;
      sp.forward(y.data(), y.data(), scratch);
      for (std::size_t i = 0; i < want.size(); ++i) CHECK(y[i] == want[i]);
    } else {
      sp.forward(x.data(), got.data(), scratch);
      CHECK(got == want);
    }
  };
  {  // 3x3 same stride 2
    constexpr auto G = bind_t<Conv2D<6, Kernel<3>, Same, Stride<2>>, float, Shape<9, 7, 4>>::geometry;
    static quant::QConv2DLayer<G> q{};
    check(q, 6, 0.7, [](const auto& l) { return sparse::to_csr_layer<65>(l); });
    check(q, 6, 0.7, [](const auto& l) { return sparse::to_sliced_layer<65>(l); });
  }
  {  // DS-CNN first conv geometry, 16 filters
    constexpr auto G = bind_t<Conv2D<16, Kernel<10, 4>, Same, Stride<2>>, float, Shape<49, 10, 1>>::geometry;
    static quant::QConv2DLayer<G> q{};
    check(q, 16, 0.8, [](const auto& l) { return sparse::to_csr_layer<128>(l); });
  }
  {  // pointwise in place
    constexpr auto G = bind_t<Conv2D<16, Kernel<1, 1>>, float, Shape<5, 4, 16>>::geometry;
    static quant::QConv2DLayer<G> q{};
    check(q, 16, 0.9, [](const auto& l) { return sparse::to_csr_layer<26>(l); });
    check(q, 16, 0.9, [](const auto& l) { return sparse::to_sliced_layer<26>(l); });
  }
  {  // depthwise, multiplier 2, same padding
    constexpr auto G = bind_t<DepthwiseConv2D<Kernel<3>, Same, DepthMultiplier<2>>, float, Shape<6, 5, 4>>::geometry;
    static quant::QDepthwiseConv2DLayer<G> q{};
    check(q, 8, 0.6, [](const auto& l) { return sparse::to_csr_layer<29>(l); });
  }
}

TEST_CASE("per-tensor masks: magnitude, N:M, apply_masks over a parameter tuple") {
  Tensor<float, Shape<8, 12>> w{};
  randomize(w);
  auto w2 = w;
  const auto m = sparse::magnitude_mask(w, 0.75);
  sparse::prune_magnitude(w2, 0.75);
  for (std::size_t i = 0; i < w.size(); ++i) CHECK((m[i] != 0) == (w2[i] != 0));
  const auto nm = sparse::n_m_mask<2, 4>(w);
  auto w3 = w;
  sparse::apply_mask(w3, nm);
  CHECK(sparse::satisfies_n_m<2, 4>(w3));
  CHECK(sparse::count_nonzero(w3) == 48);
  auto w4 = w;
  sparse::prune_n_m<2, 4>(w4);
  CHECK(w3 == w4);

  using Net = Sequential<float, Shape<12>, Dense<8>, ReLU, Dense<4>>;
  static Net net{};
  std::apply([](auto&... t) { (randomize(t), ...); }, net.parameters());
  std::tuple<sparse::Mask<Tensor<float, Shape<8, 12>>>, sparse::Mask<Tensor<float, Shape<8>>>,
             sparse::Mask<Tensor<float, Shape<4, 8>>>, sparse::Mask<Tensor<float, Shape<4>>>>
      masks{sparse::magnitude_mask(net.layer<0>().weights, 0.5), {}, sparse::n_m_mask<1, 4>(net.layer<2>().weights), {}};
  std::get<1>(masks).fill(1);
  std::get<3>(masks).fill(1);
  sparse::apply_masks(net.parameters(), masks);
  CHECK(sparse::count_nonzero(net.layer<0>().weights) == 48);
  CHECK(sparse::count_nonzero(net.layer<2>().weights) == 8);
  CHECK(sparse::count_nonzero(net.layer<0>().bias) == 8);
}

TEST_CASE("iterative pruning: geometric schedule, optimizer hook keeps pruned weights at zero") {
  constexpr auto sched = sparse::geometric_schedule<4>(0.5);
  static_assert(sched[0] == 0.5 && sched[1] == 0.75 && sched[3] == 0.9375);
  using Net = Sequential<float, Shape<16>, Dense<16>, ReLU, Dense<8>>;
  static Net net{};
  std::apply([](auto&... t) { (randomize(t), ...); }, net.parameters());
  static sparse::Masks<Net> masks{};
  masks.reset();
  static train::Sgd<Net> opt{0.1f, 0.9f};
  static train::Gradients<Net> grads{};
  std::apply([](auto&... g) { (randomize(g), ...); }, grads);  // gradients that touch every weight
  std::size_t rounds = 0;
  sparse::iterative_prune(net, masks, sched, [&](double s) {
    ++rounds;
    for (int step = 0; step < 3; ++step) opt.step(net, grads, 1.0f, &masks);
    const std::size_t alive = sparse::count_nonzero(net.layer<0>().weights) + sparse::count_nonzero(net.layer<2>().weights);
    CHECK(384 - alive == static_cast<std::size_t>(s * 384 + 0.5));
  });
  CHECK(rounds == 4);
  // N:M through the same masks.
  masks.reset();
  std::apply([](auto&... t) { (randomize(t), ...); }, net.parameters());
  masks.prune_n_m<2, 4>(net);
  CHECK(sparse::satisfies_n_m<2, 4>(net.layer<0>().weights));
  CHECK(sparse::satisfies_n_m<2, 4>(net.layer<2>().weights));
  opt.step(net, grads, 1.0f, &masks);
  CHECK(sparse::satisfies_n_m<2, 4>(net.layer<0>().weights));
}

TEST_CASE("structured pruning by L1 norm and of Conv1D filters") {
  using Net = Sequential<float, Shape<6>, Dense<10>, ReLU, Dense<3>>;
  static Net net{};
  std::apply([](auto&... t) { (randomize(t), ...); }, net.parameters());
  // Unit 4 has the largest L2 norm (one big weight) but a small L1 norm.
  for (std::size_t i = 0; i < 6; ++i) net.layer<0>().weights(4, i) = i == 0 ? 2.5f : 0.0f;
  net.layer<0>().bias[4] = 0;
  for (std::size_t u = 0; u < 10; ++u)
    if (u != 4)
      for (std::size_t i = 0; i < 6; ++i) net.layer<0>().weights(u, i) = 0.5f * (net.layer<0>().weights(u, i) < 0 ? -1.0f : 1.0f);
  auto [l2a, l2b] = sparse::keep_units<9>(net.layer<0>(), net.layer<2>());
  auto [l1a, l1b] = sparse::keep_units<9, sparse::Norm::l1>(net.layer<0>(), net.layer<2>());
  bool l2_kept = false, l1_kept = false;
  for (std::size_t k = 0; k < 9; ++k) {
    l2_kept = l2_kept || l2a.weights(k, 0) == 2.5f;
    l1_kept = l1_kept || l1a.weights(k, 0) == 2.5f;
  }
  CHECK(l2_kept);
  CHECK_FALSE(l1_kept);
  (void)l2b;
  (void)l1b;

  using A = bind_t<Conv1D<8, Kernel<3>, Same>, float, Shape<12, 4>>;
  using B = bind_t<Conv1D<5, Kernel<3>, Same>, float, Shape<12, 8>>;
  static A a{};
  static B b{};
  randomize(a.weights);
  randomize(a.bias);
  randomize(b.weights);
  for (std::size_t i = 0; i < 12; ++i) a.weights[2 * 12 + i] *= 0.01f;  // filter 2 is weak
  a.bias[2] = 0;
  auto [a2, b2] = sparse::keep_filters<7>(a, b);
  static_assert(std::is_same_v<decltype(b2)::input_type, Tensor<float, Shape<12, 7>>>);
  for (std::size_t o = 0; o < 5; ++o)
    for (std::size_t t = 0; t < 3; ++t) b.weights[(o * 3 + t) * 8 + 2] = 0;
  A::input_type x{};
  randomize(x);
  A::output_type h{};
  B::output_type want{}, got{};
  a.forward(x.data(), h.data(), nullptr);
  b.forward(h.data(), want.data(), nullptr);
  decltype(a2)::output_type h2{};
  a2.forward(x.data(), h2.data(), nullptr);
  b2.forward(h2.data(), got.data(), nullptr);
  check_close(got, want, want.size());
}

TEST_CASE("index types follow the shape; sparse conv and int8 layers run in networks without heap") {
  static_assert(std::is_same_v<sparse::Csr<float, 128, 640, 8192>::col_index, std::uint16_t>);
  static_assert(std::is_same_v<sparse::Csr<float, 128, 128, 1638>::col_index, std::uint8_t>);
  static_assert(std::is_same_v<sparse::Csr<float, 128, 128, 1638>::row_index, std::uint16_t>);
  static_assert(std::is_same_v<sparse::Csr<float, 8, 16, 100>::row_index, std::uint8_t>);
  static_assert(sparse::NmMatrix<float, 4, 16, 2, 4>::offset_bits == 2 &&
                sparse::NmMatrix<float, 4, 16, 2, 8>::offset_bits == 4);

  // DS-CNN-like block: conv -> depthwise -> pointwise, all sparse, in an aggregate network.
  using C1 = bind_t<Conv2D<8, Kernel<3>, Same, Stride<2>, Fuse<Activation::relu>>, float, Shape<10, 6, 1>>;
  using Dw = bind_t<DepthwiseConv2D<Kernel<3>, Same, Fuse<Activation::relu>>, float, Shape<5, 3, 8>>;
  using Pw = bind_t<Conv2D<8, Kernel<1, 1>, Fuse<Activation::relu>>, float, Shape<5, 3, 8>>;
  static C1 c1{};
  static Dw dw{};
  static Pw pw{};
  randomize(c1.weights);
  randomize(dw.weights);
  randomize(pw.weights);
  sparse::prune_magnitude(c1.weights, 0.5);  // 72 -> 36
  sparse::prune_magnitude(dw.weights, 0.5);  // 72 -> 36
  sparse::prune_magnitude(pw.weights, 0.75); // 64 -> 16
  struct Dense3 {
    C1 a;
    Dw b;
    Pw c;
  };
  using S1 = decltype(sparse::to_csr_layer<36>(c1));
  using S2 = decltype(sparse::to_sliced_layer<36>(dw));
  using S3 = decltype(sparse::to_csr_layer<16>(pw));
  struct Sparse3 {
    S1 a;
    S2 b;
    S3 c;
  };
  static Network<Dense3> dn{};
  static Network<Sparse3> sn{};
  dn.layers = {c1, dw, pw};
  sn.layers = {sparse::to_csr_layer<36>(c1), sparse::to_sliced_layer<36>(dw), sparse::to_csr_layer<16>(pw)};
  static_assert(Network<Sparse3>::macs == 36 * 15 + 36 * 15 + 16 * 15);
  static_assert(Network<Sparse3>::param_bytes < Network<Dense3>::param_bytes);
  C1::input_type x{};
  randomize(x);
  Pw::output_type want{}, got{};
  alignas(16) static std::byte arena_d[Network<Dense3>::arena_bytes + 16];
  alignas(16) static std::byte arena_s[Network<Sparse3>::arena_bytes + 16];
  dn(x, want, arena_d);
  {
    ctml::test::NoHeapScope guard;
    sn(x, got, arena_s);
    CHECK(guard.allocations() == 0);
  }
  check_close(got, want, want.size());

  // int8 sparse Dense in a chain, no heap.
  struct QNet {
    std::remove_const_t<decltype(qd_csr)> fc;
  };
  static Network<QNet> qn{};
  qn.layers.fc = qd_csr;
  const auto qx = make_qx();
  QD::output_type qy{};
  alignas(16) static std::byte qa[Network<QNet>::arena_bytes + 16];
  {
    ctml::test::NoHeapScope guard;
    qn(qx, qy, qa);
    CHECK(guard.allocations() == 0);
  }
  CHECK(qy == run_layer(qd, qx));
}
