// SPDX-License-Identifier: Apache-2.0
#pragma once
// The target features ctml's kernels choose between at compile time, decided here and nowhere
// else: kernels test only the CTML_HAVE_* / CTML_TARGET_* macros below, never a compiler's
// feature macro. Layers and models test none of them (they call one kernel entry point).
//
// Decided from the compiler's target:
//   CTML_TARGET_CORTEX_M   an Arm M-profile core (code-shape choices, not instruction sets)
//   CTML_HAVE_DSP          Arm DSP extension (Cortex-M4/M7/M33/M55): SMLAD, SXTB16, SSAT
//   CTML_HAVE_MVE          Helium, integer (Cortex-M55/M85)
//   CTML_HAVE_MVE_FLOAT    Helium with floating point
//   CTML_HAVE_AVX512_VNNI  x86-64 AVX-512 F/BW/VL + VNNI (Ice Lake, Zen 4 and later), enabled
//                          for the whole build (-march=native, -mavx512vnni ...)
//   CTML_DISPATCH_AVX512_VNNI  x86-64 with GCC or clang otherwise: the AVX-512 VNNI kernels are
//                          compiled for that instruction set alone (a target pragma around them)
//                          and chosen at run time when the CPU has it (target::avx512_vnni_now()),
//                          so a generic build (no -march) runs them on such a CPU
//   CTML_AVX512_KERNELS    either of the two: the AVX-512 kernels and their weight layouts exist
//   CTML_HAVE_SSE2         x86 SSE2 intrinsics
//   CTML_HAVE_AVX          x86 256-bit vectors in the build's instruction set (-mavx, -march=native
//                          on a CPU with AVX): the float dot products' eight lanes in one register
//   CTML_HAVE_NEON         AArch64 Advanced SIMD (every ARMv8-A core: Raspberry Pi 3/4/5): the int8
//                          dot products as widening multiplies and pairwise adds (SMULL, SADALP)
//   CTML_HAVE_NEON_DOTPROD AArch64 with the dot-product instructions enabled for the whole build
//                          (-march=armv8.2-a+dotprod, -mcpu=cortex-a76 ...): SDOT
//   CTML_DISPATCH_NEON_DOTPROD  AArch64 Linux with GCC or clang otherwise: the SDOT kernels are
//                          compiled for that extension alone and chosen at run time when the CPU has
//                          it (the kernel's HWCAP_ASIMDDP), so a generic ARMv8-A build runs them on
//                          a Raspberry Pi 5 and the NEON ones on a Raspberry Pi 4
//   CTML_HAVE_VECTOR_EXT   GCC/Clang vector types that map onto SIMD registers (SSE2, NEON)
//   CTML_HAVE_FLOAT_SIMD   the compiler vectorises float loops (SSE2, NEON, Helium float)
//
// User opt-outs (define before including ctml, or with -D), each honoured by every kernel:
//   CTML_NO_SIMD     portable C++ only: every CTML_HAVE_* above is off (the reference build)
//   CTML_NO_DSP      no Arm DSP-extension kernels, and so no Helium kernels either
//   CTML_NO_MVE      no Helium kernels: the DSP-extension kernels on a Helium core
//   CTML_NO_AVX512   no AVX-512 kernels: the SSE2 / vector paths on such a host
//   CTML_NO_NEON     no AArch64 NEON int8 kernels (the portable ones; float code still vectorises)
//   CTML_NO_DISPATCH no run-time choice: only what the compiler's flags enable
// At run time, the environment variable CTML_X86_KERNELS=portable keeps a dispatching x86 build on
// the portable kernels, and CTML_ARM_KERNELS=neon an AArch64 build on the NEON kernels without
// SDOT (how the tests run both paths on one machine).
// Every combination gives the same bytes (int8) or the same floats (the reduction order of a
// float kernel is fixed by its type, not its target); tests/core/target_optouts builds the
// kernel tests with each. Macros only: a kernel that uses a feature includes its intrinsics
// header itself.

#if defined(__arm__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
#define CTML_TARGET_CORTEX_M 1
#endif

#if !defined(CTML_NO_SIMD)

#if defined(__ARM_FEATURE_DSP) && !defined(CTML_NO_DSP)
#define CTML_HAVE_DSP 1
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1) && !defined(CTML_NO_DSP) && !defined(CTML_NO_MVE)
#define CTML_HAVE_MVE 1
#if (__ARM_FEATURE_MVE & 2)
#define CTML_HAVE_MVE_FLOAT 1
#endif
#endif

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512VNNI__) && \
    !defined(CTML_NO_AVX512)
#define CTML_HAVE_AVX512_VNNI 1
#endif
#if !defined(CTML_HAVE_AVX512_VNNI) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(CTML_NO_AVX512) && !defined(CTML_NO_DISPATCH)
#define CTML_DISPATCH_AVX512_VNNI 1
#endif
#if defined(CTML_HAVE_AVX512_VNNI) || defined(CTML_DISPATCH_AVX512_VNNI)
#define CTML_AVX512_KERNELS 1
#endif
#if defined(__aarch64__) && defined(__ARM_NEON) && (defined(__GNUC__) || defined(__clang__)) && !defined(CTML_NO_NEON)
#define CTML_HAVE_NEON 1
#if defined(__ARM_FEATURE_DOTPROD)
#define CTML_HAVE_NEON_DOTPROD 1
#elif defined(__linux__) && !defined(CTML_NO_DISPATCH)
#define CTML_DISPATCH_NEON_DOTPROD 1
#endif
#endif
#if defined(__SSE2__)
#define CTML_HAVE_SSE2 1
#endif
#if defined(__AVX__) && (defined(__GNUC__) || defined(__clang__))
#define CTML_HAVE_AVX 1
#endif
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__))
#define CTML_HAVE_VECTOR_EXT 1
#endif
#if defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__) || defined(CTML_HAVE_MVE_FLOAT)
#define CTML_HAVE_FLOAT_SIMD 1
#endif

#endif  // !CTML_NO_SIMD

#if defined(CTML_DISPATCH_AVX512_VNNI) || defined(CTML_DISPATCH_NEON_DOTPROD)
#include <cstdlib>
#include <string_view>
#endif
#if defined(CTML_DISPATCH_NEON_DOTPROD)
#include <sys/auxv.h>
#endif

namespace ctml::target {
// The same facts as constants, for `if constexpr` in kernels and for tests and summaries.
#if defined(CTML_HAVE_DSP)
inline constexpr bool dsp = true;
#else
inline constexpr bool dsp = false;
#endif
#if defined(CTML_HAVE_MVE)
inline constexpr bool mve = true;
#else
inline constexpr bool mve = false;
#endif
#if defined(CTML_HAVE_AVX512_VNNI)
inline constexpr bool avx512_vnni = true;
#else
inline constexpr bool avx512_vnni = false;
#endif
#if defined(CTML_HAVE_NEON)
inline constexpr bool neon = true;
#else
inline constexpr bool neon = false;
#endif
#if defined(CTML_HAVE_NEON_DOTPROD)
inline constexpr bool neon_dotprod = true;
#else
inline constexpr bool neon_dotprod = false;
#endif
#if defined(CTML_DISPATCH_NEON_DOTPROD)
inline constexpr bool neon_dotprod_dispatch = true;
#else
inline constexpr bool neon_dotprod_dispatch = false;
#endif
#if defined(CTML_HAVE_VECTOR_EXT)
inline constexpr bool vector_ext = true;
#else
inline constexpr bool vector_ext = false;
#endif
#if defined(CTML_DISPATCH_AVX512_VNNI)
inline constexpr bool avx512_vnni_dispatch = true;
#else
inline constexpr bool avx512_vnni_dispatch = false;
#endif
// The name of the int8 kernel family this build runs (model summaries, benchmarks); a dispatching
// build names the choice it makes at run time (int8_kernels_now()).
inline constexpr const char* int8_kernels = avx512_vnni    ? "avx512-vnni"
                                           : mve          ? "helium"
                                           : dsp          ? "arm-dsp"
                                           : neon_dotprod ? "neon-dotprod"
                                           : neon         ? "neon"
                                                          : "portable";

// Whether the AVX-512 VNNI kernels run: decided at compile time, or once per process from the CPU
// (cpuid through the compiler's __builtin_cpu_supports, which also checks that the operating
// system saves the AVX-512 registers) unless CTML_X86_KERNELS=portable is set. Never called in
// constant evaluation (the kernels test is_constant_evaluated() first).
#if defined(CTML_DISPATCH_AVX512_VNNI)
inline bool avx512_vnni_now() noexcept {
  static const bool on = [] {
    const char* e = std::getenv("CTML_X86_KERNELS");
    if (e != nullptr && std::string_view(e) == "portable") return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  }();
  return on;
}
#else
constexpr bool avx512_vnni_now() noexcept { return avx512_vnni; }
#endif
// Whether the SDOT kernels run: decided at compile time, or once per process from the Linux
// kernel's report of the CPU (HWCAP_ASIMDDP in the auxiliary vector) unless CTML_ARM_KERNELS=neon
// is set. Never called in constant evaluation.
#if defined(CTML_DISPATCH_NEON_DOTPROD)
inline bool neon_dotprod_now() noexcept {
  static const bool on = [] {
    const char* e = std::getenv("CTML_ARM_KERNELS");
    if (e != nullptr && std::string_view(e) == "neon") return false;
    constexpr unsigned long hwcap_asimddp = 1ul << 20;  // <asm/hwcap.h> HWCAP_ASIMDDP (Linux ABI)
    return (getauxval(AT_HWCAP) & hwcap_asimddp) != 0;
  }();
  return on;
}
#else
constexpr bool neon_dotprod_now() noexcept { return neon_dotprod; }
#endif
inline const char* int8_kernels_now() noexcept {
  if constexpr (avx512_vnni_dispatch) return avx512_vnni_now() ? "avx512-vnni (chosen at run time)" : "portable (chosen at run time)";
  else if constexpr (neon_dotprod_dispatch) return neon_dotprod_now() ? "neon-dotprod (chosen at run time)" : "neon (chosen at run time)";
  else return int8_kernels;
}
}  // namespace ctml::target

// Around code that uses AVX-512 VNNI: in a dispatching build, the functions defined between them
// are compiled for that instruction set (and only called after avx512_vnni_now()); otherwise
// nothing. No #include between them (library functions would be compiled for AVX-512 too).
#if defined(CTML_DISPATCH_AVX512_VNNI) && defined(__clang__)
#define CTML_AVX512_BEGIN                                                                                       \
  _Pragma("clang attribute push(__attribute__((target(\"avx512f,avx512bw,avx512vl,avx512vnni\"))), apply_to = function)")
#define CTML_AVX512_END _Pragma("clang attribute pop")
#elif defined(CTML_DISPATCH_AVX512_VNNI)
#define CTML_AVX512_BEGIN _Pragma("GCC push_options") _Pragma("GCC target(\"avx512f,avx512bw,avx512vl,avx512vnni\")")
#define CTML_AVX512_END _Pragma("GCC pop_options")
#else
#define CTML_AVX512_BEGIN
#define CTML_AVX512_END
#endif

// The same around code that uses SDOT (arm_neon.h declares it for armv8.2-a+dotprod).
#if defined(CTML_DISPATCH_NEON_DOTPROD) && defined(__clang__)
#define CTML_DOTPROD_BEGIN \
  _Pragma("clang attribute push(__attribute__((target(\"dotprod\"))), apply_to = function)")
#define CTML_DOTPROD_END _Pragma("clang attribute pop")
#elif defined(CTML_DISPATCH_NEON_DOTPROD)
#define CTML_DOTPROD_BEGIN _Pragma("GCC push_options") _Pragma("GCC target(\"arch=armv8.2-a+dotprod\")")
#define CTML_DOTPROD_END _Pragma("GCC pop_options")
#else
#define CTML_DOTPROD_BEGIN
#define CTML_DOTPROD_END
#endif
