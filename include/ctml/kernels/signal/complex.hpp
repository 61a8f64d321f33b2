// SPDX-License-Identifier: Apache-2.0
#pragma once
// A complex value as the signal kernels store spectra: real then imaginary, no padding (a
// Complex<std::int16_t> is one 32-bit word, a Complex<float> two floats, as CMSIS-DSP and KISS
// FFT lay them out).
namespace ctml::kernels::signal {

template <class T>
struct Complex {
  T real;
  T imag;
};

}  // namespace ctml::kernels::signal
