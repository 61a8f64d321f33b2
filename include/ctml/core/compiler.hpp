// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compiler workarounds, in one place; docs/compiler-notes.md has the standalone reproducers.
#include <type_traits>

namespace ctml::detail {

// side_effect_fence(): the first statement of every ctml function that stores in a loop.
//
// GCC 12 (seen with 12.2 for x86-64; the same middle end builds arm-none-eabi) can miscompile a
// caller of such a function at -O2. When a loop reads two arrays of one object with different
// strides (a layer's int8 weight rows and its int32 per-channel multipliers, the values and column
// indices of a sparse matrix), IVOPTs may express one address through the other's induction
// variable as a TARGET_MEM_REF whose base is the null pointer: MEM[0B + -2608 + _664 + iv * 4].
// The late pure-const and mod/ref analyses take any access with a null base for a null
// dereference, "terminate" the basic block there and never see the stores that follow it. The
// function is then declared pure, and a caller compiled after it deletes the call: the layer's
// output is never written (the MobileNetV1 and ResNet-8 int8 networks at -O2; issue 15).
//
// An empty volatile asm with a memory clobber is a statement those analyses cannot skip: the
// function is not pure and its mod/ref summary says "writes any memory". It emits no instruction;
// it only keeps the compiler from moving memory accesses across the function's entry. clang and
// constant evaluation do not need it.
[[gnu::always_inline]] constexpr void side_effect_fence() noexcept {
#if defined(__GNUC__) && !defined(__clang__)
  if (!std::is_constant_evaluated()) __asm__ volatile("" ::: "memory");
#endif
}

}  // namespace ctml::detail
