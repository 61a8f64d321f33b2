// SPDX-License-Identifier: Apache-2.0
#pragma once
// The target features ctml's kernels choose between at compile time, decided in one place:
//   CTML_HAVE_DSP         Arm DSP extension (Cortex-M4/M7/M33/M55): SMLAD, SXTB16, SSAT
//   CTML_HAVE_MVE         Helium, integer (Cortex-M55/M85)
//   CTML_HAVE_MVE_FLOAT   Helium with floating point
// User switches: CTML_NO_DSP (the portable reference build: no DSP and no Helium code),
// CTML_NO_MVE (DSP-extension kernels on a Helium core). Macros only: the kernels that use a
// feature include its intrinsics header themselves.
#if defined(__ARM_FEATURE_DSP) && !defined(CTML_NO_DSP)
#define CTML_HAVE_DSP 1
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1) && !defined(CTML_NO_DSP) && !defined(CTML_NO_MVE)
#define CTML_HAVE_MVE 1
#if (__ARM_FEATURE_MVE & 2)
#define CTML_HAVE_MVE_FLOAT 1
#endif
#endif
