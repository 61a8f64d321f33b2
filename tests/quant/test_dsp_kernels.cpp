// SPDX-License-Identifier: Apache-2.0
// The int8 inner kernels (kernels/s8/dot.hpp) against plain integer loops. On Cortex-M (this
// test also runs under QEMU in the cortex-m presets) that checks the DSP-extension paths; on
// AArch64 (the aarch64 preset, under qemu-aarch64 on a Cortex-A72 and a Cortex-A76) the NEON and
// SDOT paths; on x86 the portable paths. Lengths cover the 4-byte and 16-byte bodies, the
// two-chain loop's remainder, the tail and unaligned pointers.
#include <doctest/doctest.h>

#include <cstddef>
#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <type_traits>
#include <utility>
#include <ctml/kernels/s8/dot.hpp>
#include <ctml/kernels/s8/output_stage.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/requantize_mve.hpp>
#include <ctml/kernels/s8/requantize_neon.hpp>

namespace {

std::int8_t g_a[300], g_b[300], g_c[300], g_d[300];

void fill() {
  std::uint32_t s = 99;
  for (auto* arr : {g_a, g_b, g_c, g_d})
    for (std::size_t i = 0; i < 300; ++i) arr[i] = static_cast<std::int8_t>((s = s * 1664525u + 1013904223u) >> 24);
  // Extremes, where a wrong sign extension or lane order would show.
  g_a[0] = -128, g_b[0] = -128, g_c[1] = 127, g_d[2] = -128;
}

std::int32_t dot(const std::int8_t* a, const std::int8_t* b, std::size_t n) {
  std::int32_t s = 0;
  for (std::size_t i = 0; i < n; ++i) s += std::int32_t{a[i]} * std::int32_t{b[i]};
  return s;
}

template <std::size_t N>
void check_2x2(std::size_t off) {
  const std::int8_t *a0 = g_a + off, *a1 = g_b + off + 1, *b0 = g_c + off, *b1 = g_d + off + 3;
  std::int32_t acc[4] = {5, -7, 11, -13};
  ctml::kernels::dot_s8_2x2<N>(a0, a1, b0, b1, acc);
  CHECK(acc[0] == 5 + dot(a0, b0, N));
  CHECK(acc[1] == -7 + dot(a0, b1, N));
  CHECK(acc[2] == 11 + dot(a1, b0, N));
  CHECK(acc[3] == -13 + dot(a1, b1, N));
}

}  // namespace

TEST_CASE("dot_s8_2x2: four dot products sharing operands equal plain loops") {
  fill();
  for (std::size_t off : {0u, 1u, 2u, 3u}) {
    check_2x2<1>(off);
    check_2x2<4>(off);
    check_2x2<7>(off);
    check_2x2<16>(off);
    check_2x2<33>(off);
    check_2x2<40>(off);
    check_2x2<64>(off);
    check_2x2<250>(off);
  }
}

namespace {
template <std::size_t N>
void check_dot(std::size_t off) {
  CHECK(ctml::kernels::dot_s8<N>(g_a + off, g_b + off + 2) == dot(g_a + off, g_b + off + 2, N));
}
}  // namespace

TEST_CASE("dot_s8: one dot product equals a plain loop, extremes included") {
  fill();
  for (std::size_t off : {0u, 1u, 3u}) {
    check_dot<1>(off);
    check_dot<15>(off);
    check_dot<16>(off);
    check_dot<17>(off);
    check_dot<31>(off);
    check_dot<32>(off);
    check_dot<48>(off);
    check_dot<63>(off);
    check_dot<64>(off);
    check_dot<250>(off);
  }
  // Every product -128 * -128 (the largest; an int16 sum of two of them would overflow).
  std::int8_t m[256];
  std::fill(std::begin(m), std::end(m), std::int8_t{-128});
  CHECK(ctml::kernels::dot_s8<256>(m, m) == 256 * 16384);
  std::int32_t acc[4] = {0, 0, 0, 0};
  ctml::kernels::dot_s8_2x2<256>(m, m, m, m, acc);
  CHECK((acc[0] == 256 * 16384 && acc[1] == acc[0] && acc[2] == acc[0] && acc[3] == acc[0]));
}

TEST_CASE("dot_s8_1x2: two dot products sharing the vector equal plain loops") {
  fill();
  for (std::size_t off : {0u, 1u, 2u, 3u}) {
    for (std::size_t n : {1u, 3u, 4u, 9u, 64u, 128u, 250u}) {
      std::int32_t c0 = -3, c1 = 17;
      switch (n) {
        case 1: ctml::kernels::dot_s8_1x2<1>(g_a + off, g_b + off, g_c + off + 1, c0, c1); break;
        case 3: ctml::kernels::dot_s8_1x2<3>(g_a + off, g_b + off, g_c + off + 1, c0, c1); break;
        case 4: ctml::kernels::dot_s8_1x2<4>(g_a + off, g_b + off, g_c + off + 1, c0, c1); break;
        case 9: ctml::kernels::dot_s8_1x2<9>(g_a + off, g_b + off, g_c + off + 1, c0, c1); break;
        case 64: ctml::kernels::dot_s8_1x2<64>(g_a + off, g_b + off, g_c + off + 1, c0, c1); break;
        case 128: ctml::kernels::dot_s8_1x2<128>(g_a + off, g_b + off, g_c + off + 1, c0, c1); break;
        default: ctml::kernels::dot_s8_1x2<250>(g_a + off, g_b + off, g_c + off + 1, c0, c1); break;
      }
      CHECK(c0 == -3 + dot(g_a + off, g_b + off, n));
      CHECK(c1 == 17 + dot(g_a + off, g_c + off + 1, n));
    }
  }
}

namespace {
std::int16_t g_s[300], g_t[300];

// The plain loop in 64 bits, reduced modulo 2^32 as the kernels' int32 sums wrap.
std::int32_t dot16(const std::int16_t* a, const std::int16_t* b, std::size_t n) {
  std::int64_t s = 0;
  for (std::size_t i = 0; i < n; ++i) s += std::int64_t{a[i]} * std::int64_t{b[i]};
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(s)));
}

template <std::size_t N>
void check_dot16(std::size_t off) {
  CHECK(ctml::kernels::dot_s16<N>(g_s + off, g_t + off + 1) == dot16(g_s + off, g_t + off + 1, N));
}
}  // namespace

TEST_CASE("dot_s16: int16 dot products equal a 64-bit loop modulo 2^32 (the SVDF's time weights)") {
  std::uint32_t s = 5;
  for (auto* arr : {g_s, g_t})
    for (std::size_t i = 0; i < 300; ++i) arr[i] = static_cast<std::int16_t>((s = s * 1664525u + 1013904223u) >> 16);
  for (std::size_t off : {0u, 1u}) {  // odd offsets: word loads from 2-byte aligned addresses
    check_dot16<1>(off);
    check_dot16<2>(off);
    check_dot16<7>(off);
    check_dot16<16>(off);
    check_dot16<33>(off);
  }
  // Extremes that pass 2^31: the sum wraps as TFLite's int32 sum does on the device.
  for (std::size_t i = 0; i < 8; ++i) g_s[i] = -32768, g_t[i + 1] = -32768;
  check_dot16<8>(0);
  CHECK(dot16(g_s, g_t + 1, 8) == 0);  // 8 * 2^30 = 2^33: 0 modulo 2^32
  static_assert(ctml::kernels::dot_s16<3>(std::array<std::int16_t, 3>{-32768, 2, 3}.data(), std::array<std::int16_t, 3>{-32768, 5, -7}.data()) ==
                (1 << 30) + 10 - 21);
}

TEST_CASE("mac4_s8_offset: per-channel multiply-accumulate with an input offset") {
  fill();
  for (std::int32_t offset : {-128, -5, 0, 1, 127, 128}) {
    for (std::size_t off = 0; off < 64; ++off) {
      std::int32_t a0 = 1, a1 = 2, a2 = 3, a3 = 4;
      ctml::kernels::mac4_s8_offset(g_a + off, g_b + off + 1, offset, a0, a1, a2, a3);
      CHECK(a0 == 1 + std::int32_t{g_b[off + 1]} * (g_a[off] + offset));
      CHECK(a1 == 2 + std::int32_t{g_b[off + 2]} * (g_a[off + 1] + offset));
      CHECK(a2 == 3 + std::int32_t{g_b[off + 3]} * (g_a[off + 2] + offset));
      CHECK(a3 == 4 + std::int32_t{g_b[off + 4]} * (g_a[off + 3] + offset));
    }
  }
}

TEST_CASE("the int8 kernels are usable in constant expressions (portable path)") {
  constexpr std::int32_t r = [] {
    std::int8_t a[6] = {1, -2, 3, -4, 5, -128}, b[6] = {7, 8, -9, 10, 11, -128};
    std::int32_t acc[4] = {0, 0, 0, 0};
    ctml::kernels::dot_s8_2x2<6>(a, b, b, a, acc);
    std::int32_t q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    ctml::kernels::mac4_s8_offset(a, b, 3, q0, q1, q2, q3);
    return acc[0] + acc[1] + acc[2] + acc[3] + q0 + q1 + q2 + q3;
  }();
  // acc = {a.b, a.a, b.b, b.a} = {16363, 16439, 16799, 16363}; q = {7*4, 8*1, -9*6, 10*(-1)}.
  static_assert(r == 2 * 16363 + 16439 + 16799 + (28 + 8 - 54 - 10));
  CHECK(r == 65936);
}

TEST_CASE("requantization: the one-sum form equals TFLite's two roundings for every input class") {
  using ctml::quant::Multiplier;
  const std::int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -65536, -32769, -32768, -3, -2, -1, 0, 1, 2, 3, 32767, 65536,
                                INT32_MAX - 1, INT32_MAX};
  const std::int32_t mults[] = {0, 1, 12345, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, 1518500250, INT32_MAX};
  std::size_t checked = 0;
  for (int shift = -31; shift <= 3; ++shift) {
    for (std::int32_t q : mults) {
      for (std::int32_t x : edges) {
        const Multiplier m{q, shift};
        REQUIRE(ctml::quant::multiply_by_quantized_multiplier(x, m) == ctml::quant::multiply_by_quantized_multiplier_ref(x, m));
        ++checked;
      }
    }
  }
  // Random operands, and values placed exactly on rounding ties of the second step.
  std::uint32_t s = 7;
  auto next = [&s] { return s = s * 1664525u + 1013904223u; };
  for (int k = 0; k < 200000; ++k) {
    const int shift = -static_cast<int>(next() % 32);
    const auto q = static_cast<std::int32_t>(next() >> 1);
    std::int32_t x = static_cast<std::int32_t>(next()) >> (next() % 31);
    if (k % 4 == 0 && shift < 0) {
      // x*q/2^31 close to an odd multiple of 2^(e-1): a tie after the first rounding.
      const std::int64_t target = (static_cast<std::int64_t>(static_cast<std::int32_t>(next()) >> 8) * 2 + 1)
                                  << (-shift - 1);
      if (q != 0) x = static_cast<std::int32_t>(std::max<std::int64_t>(INT32_MIN, std::min<std::int64_t>(INT32_MAX, (target << 31) / q)));
    }
    const Multiplier m{q, shift};
    if (ctml::quant::multiply_by_quantized_multiplier(x, m) != ctml::quant::multiply_by_quantized_multiplier_ref(x, m)) {
      FAIL_CHECK("x=" << x << " q=" << q << " shift=" << shift);
    }
    ++checked;
  }
  CHECK(checked > 200000);
  static_assert(ctml::quant::multiply_by_quantized_multiplier(-5, {1 << 30, -1}) ==
                ctml::quant::multiply_by_quantized_multiplier_ref(-5, {1 << 30, -1}));
}

TEST_CASE("requantization: the normalized form equals TFLite's under its precondition; saturate_int8") {
  using ctml::quant::Multiplier;
  const std::int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -65536, -32769, -3, -2, -1, 0, 1, 2, 32767, INT32_MAX - 1, INT32_MAX};
  const std::int32_t mults[] = {0, 1 << 30, (1 << 30) + 1, 1518500250, INT32_MAX};
  for (int shift = -31; shift <= -1; ++shift)
    for (std::int32_t q : mults)
      for (std::int32_t x : edges) {
        REQUIRE(ctml::quant::is_normalized_right_shift(q, shift));
        REQUIRE(ctml::quant::multiply_by_quantized_multiplier_normalized(x, q, shift) ==
                ctml::quant::multiply_by_quantized_multiplier_ref(x, Multiplier{q, shift}));
      }
  std::uint32_t s = 11;
  auto next = [&s] { return s = s * 1664525u + 1013904223u; };
  for (int k = 0; k < 200000; ++k) {
    const int shift = -1 - static_cast<int>(next() % 31);
    const auto q = static_cast<std::int32_t>((1u << 30) | (next() >> 2));
    const std::int32_t x = static_cast<std::int32_t>(next()) >> (next() % 31);
    if (ctml::quant::multiply_by_quantized_multiplier_normalized(x, q, shift) !=
        ctml::quant::multiply_by_quantized_multiplier_ref(x, Multiplier{q, shift}))
      FAIL_CHECK("x=" << x << " q=" << q << " shift=" << shift);
  }
  // Outside the precondition: left shifts, shift 0, multipliers below 2^30.
  CHECK_FALSE(ctml::quant::is_normalized_right_shift(1 << 30, 0));
  CHECK_FALSE(ctml::quant::is_normalized_right_shift(1 << 30, 2));
  CHECK_FALSE(ctml::quant::is_normalized_right_shift((1 << 30) - 1, -3));
  CHECK_FALSE(ctml::quant::is_normalized_right_shift(1 << 30, -32));
  const std::int32_t q3[] = {1 << 30, 0, 1 << 30}, s3[] = {-2, -5, 0};
  CHECK(ctml::quant::all_normalized_right_shifts(q3, s3, 2));
  CHECK_FALSE(ctml::quant::all_normalized_right_shifts(q3, s3, 3));
  for (std::int32_t y : std::initializer_list<std::int32_t>{INT32_MIN, -129, -128, -1, 0, 127, 128, INT32_MAX})
    CHECK(ctml::quant::saturate_int8(y) == (y < -128 ? -128 : (y > 127 ? 127 : y)));
  static_assert(ctml::quant::multiply_by_quantized_multiplier_normalized(-5, 1 << 30, -1) ==
                ctml::quant::multiply_by_quantized_multiplier_ref(-5, {1 << 30, -1}));
}

TEST_CASE("requantization: the tabulated form (zero point folded in) equals TFLite's plus the zero point") {
  using ctml::quant::ChannelRequant;
  using ctml::quant::Multiplier;
  const auto ref = [](std::int32_t x, std::int32_t q, int shift, std::int32_t zp) {
    return ctml::quant::multiply_by_quantized_multiplier_ref(x, Multiplier{q, shift}) + zp;
  };
  const std::int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -65536, -32769, -3, -2, -1, 0, 1, 2, 32767, INT32_MAX - 1, INT32_MAX};
  const std::int32_t mults[] = {0, 1 << 30, (1 << 30) + 1, 1518500250, INT32_MAX};
  for (int shift = -22; shift <= -2; ++shift)
    for (std::int32_t q : mults)
      for (std::int32_t zp : {-128, -1, 0, 5, 127, 128})
        for (std::int32_t x : edges) {
          ChannelRequant c{};
          REQUIRE(ctml::quant::tabulate(q, shift, zp, c));
          REQUIRE(ctml::quant::requantize_tabulated(x, c) == ref(x, q, shift, zp));
        }
  std::uint32_t s = 12;
  auto next = [&s] { return s = s * 1664525u + 1013904223u; };
  for (int k = 0; k < 200000; ++k) {
    const int shift = -2 - static_cast<int>(next() % 21);
    const auto q = static_cast<std::int32_t>((1u << 30) | (next() >> 2));
    const auto zp = static_cast<std::int32_t>(next() % 257) - 128;
    const std::int32_t x = static_cast<std::int32_t>(next()) >> (next() % 31);
    ChannelRequant c{};
    REQUIRE(ctml::quant::tabulate(q, shift, zp, c));
    if (ctml::quant::requantize_tabulated(x, c) != ref(x, q, shift, zp))
      FAIL_CHECK("x=" << x << " q=" << q << " shift=" << shift << " zp=" << zp);
  }
  // What the table refuses (the layer then takes the other forms): shifts -1 and beyond -22,
  // multipliers that are not normalized, zero points beyond int8's.
  ChannelRequant c{};
  CHECK_FALSE(ctml::quant::tabulate(1 << 30, -1, 0, c));
  CHECK_FALSE(ctml::quant::tabulate(1 << 30, -23, 0, c));
  CHECK_FALSE(ctml::quant::tabulate((1 << 30) - 1, -8, 0, c));
  CHECK_FALSE(ctml::quant::tabulate(1 << 30, -8, 200, c));
  const std::int32_t q3[] = {1 << 30, 1 << 30, 1 << 30}, s3[] = {-8, -9, -1};
  CHECK(ctml::quant::RequantTable<2>::make(q3, s3, -128).ok);
  CHECK_FALSE(ctml::quant::RequantTable<3>::make(q3, s3, -128).ok);
  static_assert([] {
    ChannelRequant t{};
    return ctml::quant::tabulate(1518500250, -9, -128, t) &&
           ctml::quant::requantize_tabulated(-12345, t) ==
               ctml::quant::multiply_by_quantized_multiplier_ref(-12345, {1518500250, -9}) - 128;
  }());
}

#if defined(CTML_HAVE_DSP)
TEST_CASE("expand_s8_pairs + dot_s16s8_2x2: a pixel pair expanded once against two weight rows") {
  fill();
  const auto check = [](auto k, std::size_t off) {
    constexpr std::size_t K = decltype(k)::value;
    alignas(8) std::uint32_t xa[K];  // two pixels, K/2 words each
    const std::int8_t *x0 = g_a + off, *x1 = g_b + off + 3, *w = g_c + off + 1;  // rows w, w + K
    ctml::kernels::expand_s8_pairs<K>(x0, xa);
    ctml::kernels::expand_s8_pairs<K>(x1, xa + K / 2);
    std::int32_t acc[4] = {5, -7, 11, -13};
    ctml::kernels::dot_s16s8_2x2<K>(xa, w, acc);
    CHECK(acc[0] == 5 + dot(x0, w, K));
    CHECK(acc[1] == -7 + dot(x0, w + K, K));
    CHECK(acc[2] == 11 + dot(x1, w, K));
    CHECK(acc[3] == -13 + dot(x1, w + K, K));
  };
  for (std::size_t off : {0u, 1u, 2u, 3u}) {
    check(std::integral_constant<std::size_t, 4>{}, off);    // one quad: the C loop
    check(std::integral_constant<std::size_t, 8>{}, off);    // two quads: the assembly loop
    check(std::integral_constant<std::size_t, 40>{}, off);
    check(std::integral_constant<std::size_t, 64>{}, off);
    check(std::integral_constant<std::size_t, 140>{}, off);  // odd number of quads: C loop
  }
}
#endif

TEST_CASE("PackedS16Pairs and PackedS16ByQuad: int16 words in SXTB16's order, computed at compile time") {
  // Rows {1, -2, 3, -4} and {-128, 127, 5, -1}: per row the words (w0, w2) and (w1, w3).
  constexpr std::int8_t w[8] = {1, -2, 3, -4, -128, 127, 5, -1};
  constexpr auto p = ctml::kernels::PackedS16Pairs<2, 4>::pack(w);
  static_assert(p.words[0] == 0x0003'0001u && p.words[1] == 0xFFFC'FFFEu);
  static_assert(p.words[2] == 0x0005'FF80u && p.words[3] == 0xFFFF'007Fu);
  // Depthwise: two taps of four channels; per channel quad the taps follow each other.
  constexpr auto d = ctml::kernels::PackedS16ByQuad<2, 4>::pack(w);
  static_assert(d.words[0] == p.words[0] && d.words[1] == p.words[1] && d.words[2] == p.words[2] &&
                d.words[3] == p.words[3]);
  CHECK(p.pair(0) == p.words);
  // Dense blocks: four rows of one quad, two words per row one after the other.
  constexpr std::int8_t w4[16] = {1, -2, 3, -4, -128, 127, 5, -1, 7, 8, 9, 10, -11, -12, -13, -14};
  constexpr auto b = ctml::kernels::PackedS16Blocks4<4, 4>::pack(w4);
  static_assert(b.words[0] == p.words[0] && b.words[1] == p.words[1] && b.words[2] == p.words[2] &&
                b.words[3] == p.words[3]);
  static_assert(b.words[4] == 0x0009'0007u && b.words[7] == 0xFFF2'FFF4u);
  CHECK(b.block(0) == b.words);
}

#if defined(CTML_HAVE_DSP)
TEST_CASE("dot_s16_2x2: an expanded pixel pair against weight rows widened ahead of time") {
  fill();
  const auto check = [](auto k, std::size_t off) {
    constexpr std::size_t K = decltype(k)::value;
    alignas(8) std::uint32_t xa[K];
    const std::int8_t *x0 = g_a + off, *x1 = g_b + off + 3, *w = g_c + off + 1;  // 4 rows: w + r * K
    constexpr std::size_t rows = 4 * K <= 296 ? 4 : 2;
    const auto packed = ctml::kernels::PackedS16Pairs<rows, K>::pack(w);
    ctml::kernels::expand_s8_pairs<K>(x0, xa);
    ctml::kernels::expand_s8_pairs<K>(x1, xa + K / 2);
    for (std::size_t co = 0; co < rows; co += 2) {
      std::int32_t acc[4] = {5, -7, 11, -13};
      ctml::kernels::dot_s16_2x2<K>(xa, packed.pair(co), acc);
      CHECK(acc[0] == 5 + dot(x0, w + co * K, K));
      CHECK(acc[1] == -7 + dot(x0, w + (co + 1) * K, K));
      CHECK(acc[2] == 11 + dot(x1, w + co * K, K));
      CHECK(acc[3] == -13 + dot(x1, w + (co + 1) * K, K));
    }
  };
  for (std::size_t off : {0u, 1u, 2u, 3u}) {
    check(std::integral_constant<std::size_t, 4>{}, off);    // one quad per iteration
    check(std::integral_constant<std::size_t, 8>{}, off);    // two quads per iteration
    check(std::integral_constant<std::size_t, 40>{}, off);
    check(std::integral_constant<std::size_t, 64>{}, off);
    check(std::integral_constant<std::size_t, 140>{}, off);  // odd number of quads
  }
}

TEST_CASE("dot_s8_s16w_1x4: an int8 vector against four weight rows widened ahead of time") {
  fill();
  const auto check = [](auto q, std::size_t off) {
    constexpr std::size_t Q = decltype(q)::value, K = 4 * Q;
    static std::int8_t rows[8 * 128 + 4];  // eight weight rows, at an odd offset
    std::uint32_t s = 7;
    for (auto& v : rows) v = static_cast<std::int8_t>((s = s * 1664525u + 1013904223u) >> 24);
    rows[1] = -128;
    const std::int8_t *x = g_a + off, *w = rows + (off + 1) % 4;
    const auto packed = ctml::kernels::PackedS16Blocks4<8, K>::pack(w);
    for (std::size_t o = 0; o < 8; o += 4) {
      std::int32_t a0 = 5, a1 = -7, a2 = INT32_MAX - 3, a3 = -13;
      ctml::kernels::dsp::dot_s8_s16w_1x4<Q>(x, packed.block(o), a0, a1, a2, a3);
      CHECK(a0 == 5 + dot(x, w + o * K, K));
      CHECK(a1 == -7 + dot(x, w + (o + 1) * K, K));
      CHECK(a2 == ctml::kernels::add_wrap(INT32_MAX - 3, dot(x, w + (o + 2) * K, K)));  // wraps as SMLAD
      CHECK(a3 == -13 + dot(x, w + (o + 3) * K, K));
    }
  };
  for (std::size_t off : {0u, 1u, 2u, 3u}) {
    check(std::integral_constant<std::size_t, 1>{}, off);  // the C loop
    check(std::integral_constant<std::size_t, 2>{}, off);  // two quads per iteration
    check(std::integral_constant<std::size_t, 9>{}, off);  // odd: the C loop
    check(std::integral_constant<std::size_t, 32>{}, off);
  }
}

TEST_CASE("mac4_s16w_offset: depthwise taps with weights widened ahead of time") {
  fill();
  constexpr std::size_t T = 9, C = 8;
  const auto packed = ctml::kernels::PackedS16ByQuad<T, C>::pack(g_b);  // w[t][c] = g_b[t * C + c]
  for (std::int32_t offset : {-128, -5, 0, 127, 128}) {
    const std::uint32_t off2 = (static_cast<std::uint32_t>(offset) & 0xFFFFu) * 0x10001u;
    for (std::size_t c : {0u, 4u}) {
      std::int32_t a[4] = {1, 2, 3, 4};
      const std::uint32_t* wq = packed.quad(c);
      [&]<std::size_t... t>(std::index_sequence<t...>) {
        (ctml::kernels::mac4_s16w_offset<t>(g_a + 3 * t + c + 1, wq, off2, a[0], a[1], a[2], a[3]), ...);
      }(std::make_index_sequence<T>{});
      for (std::size_t j = 0; j < 4; ++j) {
        std::int32_t ref = static_cast<std::int32_t>(j + 1);
        for (std::size_t t = 0; t < T; ++t) ref += std::int32_t{g_b[t * C + c + j]} * (g_a[3 * t + c + 1 + j] + offset);
        CHECK(a[j] == ref);
      }
    }
  }
}
#endif

TEST_CASE("quantize_multiplier: non-finite or negative ratios give the zero multiplier, never a hang") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  static_assert(ctml::quant::quantize_multiplier(inf).value == 0);
  static_assert(ctml::quant::quantize_multiplier(-0.5).value == 0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(ctml::quant::quantize_multiplier(nan).value == 0);
  CHECK(ctml::quant::quantize_multiplier(0.75).value == 1610612736);  // 0.75 * 2^31
  CHECK(ctml::quant::quantize_multiplier(0.75).shift == 0);
}

#if defined(CTML_HAVE_NEON)
// The NEON output stage (requantize_neon.hpp) against TFLite's formulation step by step, on the
// extremes of every operand: accumulators near INT32_MIN / INT32_MAX and at rounding ties,
// multipliers negative, zero, INT32_MIN and normalized, every shift from -31 to 31 (left shifts
// wrap as the reference's do).
TEST_CASE("requantize4 (AArch64 NEON) equals multiply_by_quantized_multiplier_ref") {
  std::uint32_t s = 12345;
  auto next = [&s] { return static_cast<std::int32_t>(s = s * 1664525u + 1013904223u); };
  // (Fixed arrays: this suite runs under the strict heap guard.)
  std::array<std::int32_t, 217> xs{0, 1, -1, 2, -2, 3, -3, INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 1 << 20, -(1 << 20),
                                   (1 << 20) + (1 << 19), -((1 << 20) + (1 << 19)), 12345, -12345};
  for (std::size_t i = 17; i < xs.size(); ++i) xs[i] = next() >> (i % 24);
  std::array<std::int32_t, 32> qs{0, 1, -1, INT32_MIN, INT32_MAX, 1 << 30, (1 << 30) + 1, -(1 << 30)};
  for (std::size_t i = 8; i < qs.size(); ++i) qs[i] = next();
  std::size_t checked = 0, wrong = 0;
  for (std::int32_t shift = -31; shift <= 31; ++shift) {
    for (std::size_t qi = 0; qi + 4 <= qs.size(); qi += 2) {
      const std::int32_t mult[4] = {qs[qi], qs[qi + 1], qs[qi + 2], qs[qi + 3]};
      const std::int32_t shifts[4] = {shift, -shift, shift / 2, shift};
      const auto r = ctml::kernels::neon::make_requant4(mult, shifts);
      for (std::size_t xi = 0; xi + 4 <= xs.size(); ++xi) {
        const std::int32_t x[4] = {xs[xi], xs[xi + 1], xs[xi + 2], xs[xi + 3]};
        std::int32_t y[4];
        vst1q_s32(y, ctml::kernels::neon::requantize4(vld1q_s32(x), r));
        for (int l = 0; l < 4; ++l) {
          const std::int32_t want = ctml::quant::multiply_by_quantized_multiplier_ref(x[l], {mult[l], static_cast<int>(shifts[l])});
          wrong += y[l] != want;
          ++checked;
        }
      }
    }
  }
  CHECK(wrong == 0);  // lanes that differ (a message would allocate: strict heap guard)
  CHECK(checked > 100000);
}
#endif

#if defined(CTML_HAVE_MVE)
// The Helium output stage (requantize_mve.hpp) against TFLite's formulation step by step, on the
// same extremes as the NEON test; finish4 against OutputStage::finish (zero point, clamp, store).
TEST_CASE("requantize4 and finish4 (Helium) equal multiply_by_quantized_multiplier_ref and OutputStage::finish") {
  std::uint32_t s = 12345;
  auto next = [&s] { return static_cast<std::int32_t>(s = s * 1664525u + 1013904223u); };
  std::array<std::int32_t, 121> xs{0, 1, -1, 2, -2, 3, -3, INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 1 << 20, -(1 << 20),
                                   (1 << 20) + (1 << 19), -((1 << 20) + (1 << 19)), 12345, -12345};
  for (std::size_t i = 17; i < xs.size(); ++i) xs[i] = next() >> (i % 24);
  std::array<std::int32_t, 20> qs{0, 1, -1, INT32_MIN, INT32_MAX, 1 << 30, (1 << 30) + 1, -(1 << 30)};
  for (std::size_t i = 8; i < qs.size(); ++i) qs[i] = next();
  ctml::quant::OutputStage st;
  st.output_zero_point = -5;
  st.act_min = -100;
  st.act_max = 120;
  const auto fin = ctml::kernels::mve::make_finish4(st.output_zero_point, st.act_min, st.act_max);
  std::size_t checked = 0, wrong = 0;
  for (std::int32_t shift = -31; shift <= 31; ++shift) {
    for (std::size_t qi = 0; qi + 4 <= qs.size(); qi += 2) {
      const std::int32_t mult[4] = {qs[qi], qs[qi + 1], qs[qi + 2], qs[qi + 3]};
      const std::int32_t shifts[4] = {shift, -shift, shift / 2, shift};
      const auto r = ctml::kernels::mve::make_requant4(mult, shifts);
      const auto r1 = ctml::kernels::mve::make_requant4(mult[1], shifts[1]);
      for (std::size_t xi = 0; xi + 4 <= xs.size(); ++xi) {
        const std::int32_t x[4] = {xs[xi], xs[xi + 1], xs[xi + 2], xs[xi + 3]};
        const int32x4_t xv = ctml::kernels::mve::lanes4(x[0], x[1], x[2], x[3]);
        std::int32_t y[4], y1[4];
        vst1q_s32(y, ctml::kernels::mve::requantize4(xv, r));
        vst1q_s32(y1, ctml::kernels::mve::requantize4(xv, r1));
        std::int8_t o[4];
        ctml::kernels::mve::finish4(xv, r, fin, o);
        for (int l = 0; l < 4; ++l) {
          const std::int32_t want = ctml::quant::multiply_by_quantized_multiplier_ref(x[l], {mult[l], static_cast<int>(shifts[l])});
          wrong += y[l] != want;
          wrong += y1[l] != ctml::quant::multiply_by_quantized_multiplier_ref(x[l], {mult[1], static_cast<int>(shifts[1])});
          // OutputStage::finish takes the fast one-sum form where it applies; equal to the reference.
          wrong += o[l] != st.finish(x[l], mult[l], shifts[l]);
          checked += 3;
        }
      }
    }
  }
  CHECK(wrong == 0);
  CHECK(checked > 100000);
}
#endif
