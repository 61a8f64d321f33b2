// SPDX-License-Identifier: Apache-2.0
#pragma once
// The FrontEnd concept: a feature extractor as a type, like a layer. Everything a caller needs to
// size buffers is a compile-time fact.
//   using sample_type, feature_type;            e.g. int16_t audio in, int8_t features out
//   static constexpr std::size_t window, hop;   samples per analysis window, samples between frames
//   static constexpr std::size_t features;      values per frame
//   using state_type;                           what persists between frames (trivially copyable)
//   using scratch_type;                         working memory of one frame
//   void reset(state_type&) const;
//   void operator()(const sample_type* window, feature_type* frame, state_type&, scratch_type&) const;
#include <concepts>
#include <cstddef>
#include <type_traits>

namespace ctml::frontend {

template <class F>
concept FrontEnd = requires {
  typename F::sample_type;
  typename F::feature_type;
  typename F::state_type;
  typename F::scratch_type;
  { F::window } -> std::convertible_to<std::size_t>;
  { F::hop } -> std::convertible_to<std::size_t>;
  { F::features } -> std::convertible_to<std::size_t>;
} && std::is_trivially_copyable_v<typename F::state_type> &&
    requires(const F& f, const typename F::sample_type* in, typename F::feature_type* out, typename F::state_type& s,
             typename F::scratch_type& w) {
      f.reset(s);
      f(in, out, s, w);
    };

}  // namespace ctml::frontend
