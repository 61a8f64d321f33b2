// SPDX-License-Identifier: Apache-2.0
#pragma once
// The C++ side of ctml's differential testing and of its divergence locator (README.md here).
// For a model imported by ctml-import (namespace NS with Model, model, tflite_tensor_of_layer and
// tflite_origin_of_layer), check_model<NS...>() reads the input bytes and TensorFlow Lite Micro's
// output (and, if present, its intermediate tensors from `tflm-run --dump`), then
//   1. runs the whole network in its planned arena and compares the output with TFLite Micro's,
//      byte for byte;
//   2. runs the same layers one at a time in separate buffers and compares the final output with
//      the whole-network run (in-place aliasing, arena planning);
//   3. compares every layer's output with the TFLite tensor that holds it (when dumped) and names
//      the first layer that differs: "first divergent layer 7 (operator 9 (DEPTHWISE_CONV_2D 3x3
//      s2)): 14 bytes differ, max 1 step". Any difference fails the model, also when the final
//      output happens to agree.
// Host and Cortex-M (files through semihosting); no heap.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <utility>

#include <ctml/core/concepts.hpp>

namespace ctml::difftest {

// One activation, arena or layer scratch of any model in a corpus (MobileNetV1-0.25's int8 arena
// is 55,296 bytes). Four of these fit the Cortex-M55 board's 512 KB of data RAM.
#ifndef DIFFTEST_BUFFER_BYTES
#define DIFFTEST_BUFFER_BYTES (64 * 1024)
#endif
inline constexpr std::size_t kBufferBytes = DIFFTEST_BUFFER_BYTES;
// g_scratch is the whole network's arena first, then the layers' scratch.
alignas(16) inline std::byte g_a[kBufferBytes], g_b[kBufferBytes], g_scratch[kBufferBytes], g_file[kBufferBytes];

// Reads a whole file into g_file; returns its size, or -1 (missing, unreadable, too large).
inline long read_file(const char* path) {
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return -1;
  const std::size_t n = std::fread(g_file, 1, kBufferBytes, f);
  const bool more = std::fgetc(f) != EOF;
  std::fclose(f);
  return more ? -1 : static_cast<long>(n);
}

struct Diff {
  std::size_t differ = 0;  // bytes (elements for int8) that differ
  int max_step = 0;        // largest difference, in quantization steps (int8 data)
};
inline Diff compare_bytes(const void* a, const void* b, std::size_t n, bool int8) {
  Diff d;
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) {
      ++d.differ;
      if (int8) {
        const int s = static_cast<int>(static_cast<signed char>(x[i])) - static_cast<signed char>(y[i]);
        d.max_step = s < 0 ? (-s > d.max_step ? -s : d.max_step) : (s > d.max_step ? s : d.max_step);
      }
    }
  return d;
}

// Checks one model. `dir` holds NAME.in.bin, NAME.ref.bin and optionally NAME.dump/tNNN.bin.
// Prints one line; returns true when everything agrees.
template <class Model, std::size_t L>
bool check_model(const char* dir, const char* name, const Model& model, const int (&tensor_of_layer)[L],
                 const char* const (&origin_of_layer)[L]) {
  static_assert(L == Model::layer_count, "check_model: one tensor index per layer");
  using In = typename Model::input_type;
  using Out = typename Model::output_type;
  static_assert(sizeof(In) <= kBufferBytes && sizeof(Out) <= kBufferBytes, "difftest: model too large");
  static_assert(Model::arena_bytes <= kBufferBytes, "difftest: model arena too large");
  char path[512];
  static In in{};
  static Out whole{};
  std::snprintf(path, sizeof path, "%s/%s.in.bin", dir, name);
  if (read_file(path) != static_cast<long>(in.size_bytes())) {
    std::printf("%s ERROR: cannot read %s (or its size is not the input's %zu bytes)\n", name, path, in.size_bytes());
    return false;
  }
  std::memcpy(in.data(), g_file, in.size_bytes());

  // 1. The whole network in its planned arena (g_scratch as the arena).
  model(in, whole, std::span<std::byte>(g_scratch, Model::arena_bytes));

  // 2. One layer at a time, ping-pong between g_a and g_b; each output kept for the locator.
  std::memcpy(g_a, in.data(), in.size_bytes());
  bool layers_ok = true;
  std::size_t first_layer = L;
  Diff first_diff{};
  std::snprintf(path, sizeof path, "%s/%s.ref.bin", dir, name);
  const long ref_size = read_file(path);
  if (ref_size != static_cast<long>(whole.size_bytes())) {
    std::printf("%s ERROR: cannot read %s (or its size is not the output's %zu bytes)\n", name, path, whole.size_bytes());
    return false;
  }
  static std::byte ref[sizeof(Out)];
  std::memcpy(ref, g_file, whole.size_bytes());
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using Layer = typename Model::template layer_type<I>;
          using Tr = layer_traits<Layer>;
          static_assert(sizeof(typename Tr::input_type) <= kBufferBytes && sizeof(typename Tr::output_type) <= kBufferBytes &&
                            Tr::scratch_bytes <= kBufferBytes,
                        "difftest: layer too large for the harness buffers");
          std::byte* src = I % 2 == 0 ? g_a : g_b;
          std::byte* dst = I % 2 == 0 ? g_b : g_a;
          model.template layer<I>().forward(reinterpret_cast<const typename Tr::input_value*>(src),
                                            reinterpret_cast<typename Tr::output_value*>(dst),
                                            reinterpret_cast<typename Tr::scratch_value*>(g_scratch));
          // 3. The locator: this layer against TFLite Micro's tensor, if dumped.
          if (first_layer == L && tensor_of_layer[I] >= 0) {
            char tpath[512];
            std::snprintf(tpath, sizeof tpath, "%s/%s.dump/t%03d.bin", dir, name, tensor_of_layer[I]);
            const long n = read_file(tpath);
            constexpr std::size_t bytes = sizeof(typename Tr::output_type);
            if (n == static_cast<long>(bytes)) {
              const Diff d = compare_bytes(dst, g_file, bytes, sizeof(typename Tr::output_value) == 1);
              if (d.differ) {
                first_layer = I;
                first_diff = d;
              }
            }
          }
        }(),
        ...);
  }(std::make_index_sequence<L>{});
  const std::byte* split = L % 2 == 0 ? g_a : g_b;
  const Diff vs_split = compare_bytes(whole.data(), split, whole.size_bytes(), false);
  layers_ok = vs_split.differ == 0;
  const Diff vs_tflm = compare_bytes(whole.data(), ref, whole.size_bytes(), sizeof(typename Out::value_type) == 1);
  // Every layer whose tensor TFLite Micro dumped must agree too: a final output that saturates
  // can hide a wrong intermediate tensor.
  if (vs_tflm.differ == 0 && layers_ok && first_layer == L) {
    std::printf("%s ok\n", name);
    return true;
  }
  std::printf("%s MISMATCH:", name);
  if (vs_tflm.differ)
    std::printf(" output: %zu of %zu bytes differ from TFLite Micro, max %d step%s;", vs_tflm.differ,
                whole.size_bytes(), vs_tflm.max_step, vs_tflm.max_step == 1 ? "" : "s");
  if (!layers_ok)
    std::printf(" the whole network differs from its layers run one at a time (%zu bytes);", vs_split.differ);
  if (first_layer < L)
    std::printf(" first divergent layer %zu (%s): %zu bytes differ, max %d step%s", first_layer,
                origin_of_layer[first_layer], first_diff.differ, first_diff.max_step, first_diff.max_step == 1 ? "" : "s");
  else if (vs_tflm.differ)
    std::printf(" no layer output differs from TFLite Micro's tensors (dumps missing, or inside a residual block)");
  std::printf("\n");
  return false;
}

}  // namespace ctml::difftest
