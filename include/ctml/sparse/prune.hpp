// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pruning: set weights to zero so that sparse formats (csr.hpp, nm.hpp) can skip them.
//   prune_magnitude(w, s)        unstructured: the fraction s of w with the smallest |w|
//   prune_global(net, s)         the same threshold across every weight tensor of a network
//   prune_n_m<N, M>(w)           semi-structured: N largest of every M consecutive inputs
// All are constexpr and allocate nothing: the magnitude threshold is found by counting passes
// (a radix select for one tensor, a bisection for a whole network), never by sorting, so they
// run on a device, on host, or at compile time.
#include <cstddef>
#include <bit>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>

namespace ctml::sparse {

// |v|; integers are widened first, so |-128| of an int8 is 128.
template <class T>
constexpr auto magnitude(T v) {
  if constexpr (std::is_integral_v<T>) return v < 0 ? -static_cast<long long>(v) : static_cast<long long>(v);
  else return v < T(0) ? -v : v;
}

// Number of non-zero elements; the NNZ template argument of a sparse layer comes from this.
template <TensorLike Tn>
constexpr std::size_t count_nonzero(const Tn& t) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < Tn::size(); ++i)
    if (t.data()[i] != 0) ++n;
  return n;
}

template <TensorLike Tn>
constexpr double sparsity_of(const Tn& t) {
  return 1.0 - static_cast<double>(count_nonzero(t)) / static_cast<double>(Tn::size());
}


namespace detail {
// The rank-th smallest (1-based) of key(w[i]): the smallest th with #{key <= th} >= rank. A
// radix select on the key's bits, most significant digit first: one counting pass per DigitBits
// digit, each histogram over the elements that share the digits found so far.
template <int DigitBits, class Key, TensorLike Tn, class KeyOf>
constexpr Key kth_smallest_key(const Tn& w, std::size_t rank, KeyOf key) {
  constexpr Key digit_mask = (Key{1} << DigitBits) - 1;
  Key prefix = 0, known = 0;  // the digits found so far, and which bits they cover
  for (int shift = static_cast<int>(sizeof(Key) * 8) - DigitBits; shift >= 0; shift -= DigitBits) {
    std::size_t counts[digit_mask + 1] = {};
    for (std::size_t i = 0; i < Tn::size(); ++i) {
      const Key k = key(w.data()[i]);
      if ((k & known) == prefix) ++counts[(k >> shift) & digit_mask];
    }
    Key d = 0;
    while (counts[d] < rank) rank -= counts[d++];  // stops at a digit: rank <= the prefix's count
    prefix |= d << shift;
    known |= digit_mask << shift;
  }
  return prefix;
}
}  // namespace detail

// Calls drop(i) for the `sparsity` fraction (0..1) of the elements of `w` with the smallest
// magnitude (exactly round(sparsity * size) of them, zeros of either sign first; ties at the
// threshold broken by position). The threshold is found by a radix select on the magnitude's bit
// pattern (for IEEE floats the bits of |v| order like |v|), never by sorting: at run time 4-bit
// digits (8 counting passes for 32-bit values, 16 counters on the stack), in constant evaluation
// 8-bit digits (4 passes; the stack there is the compiler's). A bisection over the bits took up
// to 32 passes, which made compile-time pruning of a 270k-weight network cost 90 s of constant
// evaluation (now 29 s).
template <TensorLike Tn, class Drop>
constexpr std::size_t select_smallest(const Tn& w, double sparsity, Drop&& drop) {
  if (!(sparsity > 0.0)) return 0;  // also NaN; a negative count would not convert
  const double wanted = sparsity * static_cast<double>(Tn::size()) + 0.5;
  const std::size_t target =
      wanted >= static_cast<double>(Tn::size()) ? Tn::size() : static_cast<std::size_t>(wanted);
  if (target == 0) return 0;
  using V = std::remove_cvref_t<decltype(w.data()[0])>;
  using Key = std::conditional_t<sizeof(V) <= 4, std::uint32_t, std::uint64_t>;
  auto key = [](V v) -> Key {
    if constexpr (std::is_floating_point_v<V>) {
      // The bits without the sign: -0.0 is a zero (magnitude(-0.0) keeps the sign bit).
      using Bits = std::conditional_t<sizeof(V) == 4, std::uint32_t, std::uint64_t>;
      return static_cast<Key>(std::bit_cast<Bits>(v) & (~Bits{0} >> 1));
    } else {
      return static_cast<Key>(magnitude(v));
    }
  };
  Key lo = 0;  // not a const initializer: that would be manifestly constant-evaluated
  if (std::is_constant_evaluated()) lo = detail::kth_smallest_key<8, Key>(w, target, key);
  else lo = detail::kth_smallest_key<4, Key>(w, target, key);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < Tn::size(); ++i)
    if (key(w.data()[i]) < lo) {
      drop(i);
      ++dropped;
    }
  for (std::size_t i = 0; i < Tn::size() && dropped < target; ++i)
    if (key(w.data()[i]) == lo) {
      drop(i);
      ++dropped;
    }
  return dropped;
}

// Zero the `sparsity` fraction (0..1) of `w` with the smallest magnitude; returns how many
// elements are zero afterwards.
template <TensorLike Tn>
constexpr std::size_t prune_magnitude(Tn& w, double sparsity) {
  select_smallest(w, sparsity, [&](std::size_t i) { w.data()[i] = 0; });
  return Tn::size() - count_nonzero(w);
}

// Which parameter tensors pruning touches: weights (rank >= 2), not biases or normalisation
// statistics (rank 1).
template <class Tn>
inline constexpr bool is_weight_tensor = std::remove_cvref_t<Tn>::rank >= 2;

// One magnitude threshold for all weight tensors of a network (or layer): layers whose weights
// are small overall lose more. Returns the number of zero weights afterwards.
template <class Net>
constexpr std::size_t prune_global(Net& net, double sparsity) {
  auto params = net.parameters();
  std::size_t total = 0;
  std::apply([&](auto&... t) {
    ((total += is_weight_tensor<decltype(t)> ? std::remove_cvref_t<decltype(t)>::size() : 0), ...);
  }, params);
  const auto target = static_cast<std::size_t>(sparsity * static_cast<double>(total) + 0.5);
  // Bisection over the weight tensors only.
  double lo = -1, hi = 0;
  std::apply([&](auto&... t) {
    ((void)[&] {
      if constexpr (is_weight_tensor<decltype(t)>)
        for (auto v : t) hi = static_cast<double>(magnitude(v)) > hi ? static_cast<double>(magnitude(v)) : hi;
    }(), ...);
  }, params);
  auto count_le = [&](double th) {
    std::size_t n = 0;
    std::apply([&](auto&... t) {
      ((void)[&] {
        if constexpr (is_weight_tensor<decltype(t)>)
          for (auto v : t) n += static_cast<double>(magnitude(v)) <= th ? 1 : 0;
      }(), ...);
    }, params);
    return n;
  };
  if (target == 0) return count_le(0.0);
  for (int it = 0; it < 200; ++it) {
    const double mid = lo + (hi - lo) / 2;
    if (mid == lo || mid == hi) break;
    if (count_le(mid) >= target) hi = mid;
    else lo = mid;
  }
  // Zero everything strictly below the threshold, then ties at it until the target is met.
  std::apply([&](auto&... t) {
    ((void)[&] {
      if constexpr (is_weight_tensor<decltype(t)>)
        for (auto& v : t)
          if (static_cast<double>(magnitude(v)) < hi) v = 0;
    }(), ...);
  }, params);
  std::size_t zeros = count_le(0.0);
  std::apply([&](auto&... t) {
    ((void)[&] {
      if constexpr (is_weight_tensor<decltype(t)>)
        for (auto& v : t)
          if (zeros < target && v != 0 && static_cast<double>(magnitude(v)) <= hi) {
            v = 0;
            ++zeros;
          }
    }(), ...);
  }, params);
  return count_le(0.0);
}

// N:M semi-structured pruning along the last axis (the input axis of Dense [Out][In], and of
// pointwise conv weights [Cout][1][1][Cin]): in every group of M consecutive weights keep the N
// largest (ties: the earlier one). 2:4 halves the weights, 1:4 keeps a quarter.
template <std::size_t N, std::size_t M, TensorLike Tn>
constexpr void prune_n_m(Tn& w) {
  ::ctml::detail::side_effect_fence();
  using S = typename Tn::shape_type;
  constexpr std::size_t inner = S::extents[S::rank - 1];
  static_assert(N < M && M > 0, "ctml::sparse::prune_n_m<N, M>: keep N < M of every M weights");
  static_assert(inner % M == 0,
                "ctml::sparse::prune_n_m<N, M>: the input axis must be a multiple of M");
  for (std::size_t g = 0; g < Tn::size() / M; ++g) {
    auto* v = w.data() + g * M;
    bool keep[M]{};
    for (std::size_t i = 0; i < M; ++i) {
      std::size_t rank = 0;
      for (std::size_t j = 0; j < M; ++j)
        if (magnitude(v[j]) > magnitude(v[i]) || (magnitude(v[j]) == magnitude(v[i]) && j < i)) ++rank;
      keep[i] = rank < N;
    }
    for (std::size_t i = 0; i < M; ++i)
      if (!keep[i]) v[i] = 0;
  }
}

// True when every group of M consecutive weights along the last axis has at most N non-zeros.
template <std::size_t N, std::size_t M, TensorLike Tn>
constexpr bool satisfies_n_m(const Tn& w) {
  for (std::size_t g = 0; g < Tn::size() / M; ++g) {
    std::size_t nz = 0;
    for (std::size_t i = 0; i < M; ++i) nz += w.data()[g * M + i] != 0 ? 1 : 0;
    if (nz > N) return false;
  }
  return true;
}

}  // namespace ctml::sparse
