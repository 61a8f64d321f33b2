// SPDX-License-Identifier: Apache-2.0
// The README's ctml-import snippet, verbatim, compiled against headers generated from the
// hand-made models (with --name kws), once with int8 edges (tiny_conv) and once with float edges
// (tiny_ops, selected by CTML_SNIPPET_FLOAT): the stable interface of every generated header.
#include <doctest/doctest.h>

// ---- README snippet (unchanged) ----
#include "kws.hpp"          // ctml-import model.tflite -o kws.hpp --name kws
#include <cstring>
kws::Model::input_type in{};                   // a ctml tensor (int8 or float): in.data(), in.size()
kws::Model::output_type out{};
alignas(16) static std::byte arena[kws::Model::arena_bytes];
void run(const void* bytes) {
  std::memcpy(in.data(), bytes, in.size() * sizeof(*in.data()));
  kws::model(in, out, arena);                  // `model` is a constexpr object of type Model
}
// ---- end of snippet ----

TEST_CASE("the README snippet runs a generated header") {
  using V = std::remove_cvref_t<decltype(*in.data())>;
  static V bytes[decltype(in)::size()];
  for (std::size_t i = 0; i < in.size(); ++i) bytes[i] = static_cast<V>((i * 37) % 11) - static_cast<V>(5);
  run(bytes);
  for (std::size_t i = 0; i < in.size(); ++i) CHECK(in[i] == bytes[i]);
  // The same input through a second call gives the same output: nothing else is stateful.
  const auto first = out;
  run(bytes);
  CHECK(out == first);
}
