// The opt-out switches of core/target.hpp: which target features each one leaves on (static), and
// the kernel tests (quant, layers, sparse, DSP kernels) linked into the same executable, built with
// the opt-out, so every kernel path it selects is checked against the same references.
#include <doctest/doctest.h>

#include <cstdio>
#include <string_view>

#include <ctml/core/target.hpp>

#if defined(CTML_NO_SIMD)
#if defined(CTML_HAVE_DSP) || defined(CTML_HAVE_MVE) || defined(CTML_HAVE_MVE_FLOAT) || defined(CTML_HAVE_AVX512_VNNI) || \
    defined(CTML_HAVE_SSE2) || defined(CTML_HAVE_VECTOR_EXT) || defined(CTML_HAVE_FLOAT_SIMD)
#error "CTML_NO_SIMD must turn every CTML_HAVE_* target feature off"
#endif
#endif
#if defined(CTML_NO_DSP) && (defined(CTML_HAVE_DSP) || defined(CTML_HAVE_MVE))
#error "CTML_NO_DSP must turn the Arm DSP and Helium kernels off"
#endif
#if defined(CTML_NO_MVE) && (defined(CTML_HAVE_MVE) || defined(CTML_HAVE_MVE_FLOAT))
#error "CTML_NO_MVE must turn the Helium kernels off"
#endif
#if defined(CTML_NO_AVX512) && (defined(CTML_HAVE_AVX512_VNNI) || defined(CTML_AVX512_KERNELS))
#error "CTML_NO_AVX512 must turn the AVX-512 kernels off, compiled in or chosen at run time"
#endif
#if defined(CTML_NO_SIMD) && defined(CTML_AVX512_KERNELS)
#error "CTML_NO_SIMD must turn the AVX-512 kernels off"
#endif
// Features that depend on another are never on alone.
#if defined(CTML_HAVE_MVE_FLOAT) && !defined(CTML_HAVE_MVE)
#error "Helium float without Helium"
#endif
#if defined(CTML_HAVE_MVE) && !defined(CTML_HAVE_DSP)
#error "Helium kernels build on the DSP-extension ones"
#endif

static_assert(ctml::target::mve == false || ctml::target::dsp, "Helium without the DSP extension");

TEST_CASE("target: the int8 kernel family of this build") {
  std::printf("ctml target: int8 kernels = %s, vector extensions = %s\n", ctml::target::int8_kernels,
              ctml::target::vector_ext ? "yes" : "no");
#if defined(CTML_NO_SIMD)
  CHECK(std::string_view(ctml::target::int8_kernels) == "portable");
  CHECK_FALSE(ctml::target::vector_ext);
#endif
#if defined(CTML_NO_AVX512)
  CHECK_FALSE(ctml::target::avx512_vnni);
#endif
}
