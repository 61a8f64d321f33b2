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
//   CTML_HAVE_AVX512_VNNI  x86-64 AVX-512 F/BW/VL + VNNI (Ice Lake, Zen 4 and later)
//   CTML_HAVE_SSE2         x86 SSE2 intrinsics
//   CTML_HAVE_VECTOR_EXT   GCC/Clang vector types that map onto SIMD registers (SSE2, NEON)
//   CTML_HAVE_FLOAT_SIMD   the compiler vectorises float loops (SSE2, NEON, Helium float)
//
// User opt-outs (define before including ctml, or with -D), each honoured by every kernel:
//   CTML_NO_SIMD     portable C++ only: every CTML_HAVE_* above is off (the reference build)
//   CTML_NO_DSP      no Arm DSP-extension kernels, and so no Helium kernels either
//   CTML_NO_MVE      no Helium kernels: the DSP-extension kernels on a Helium core
//   CTML_NO_AVX512   no AVX-512 kernels: the SSE2 / vector paths on such a host
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
#if defined(__SSE2__)
#define CTML_HAVE_SSE2 1
#endif
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__))
#define CTML_HAVE_VECTOR_EXT 1
#endif
#if defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__) || defined(CTML_HAVE_MVE_FLOAT)
#define CTML_HAVE_FLOAT_SIMD 1
#endif

#endif  // !CTML_NO_SIMD

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
#if defined(CTML_HAVE_VECTOR_EXT)
inline constexpr bool vector_ext = true;
#else
inline constexpr bool vector_ext = false;
#endif
// The name of the int8 kernel family this build runs (model summaries, benchmarks).
inline constexpr const char* int8_kernels = avx512_vnni ? "avx512-vnni" : mve ? "helium" : dsp ? "arm-dsp" : "portable";
}  // namespace ctml::target
