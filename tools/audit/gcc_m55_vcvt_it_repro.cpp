// GCC 12.2 arm-none-eabi, -mcpu=cortex-m55 -mfloat-abi=hard -O3: the assembler rejects
// "vcvtne.f32.s32": an int-to-float conversion under a condition, predicated inside an IT block.
float energy(const float* psd, unsigned n, float df, float lo, float hi) {
  float e = 0;
  for (unsigned k = 0; k < n; ++k) {
    const float f = static_cast<float>(k) * df;
    if (f >= lo && f < hi) e += psd[k];
  }
  return e * df;
}
void bands(const float* psd, float fs, float* out) {
  constexpr unsigned B = 4;
  const float w = fs / 2.0f / static_cast<float>(B);
  for (unsigned b = 0; b < B; ++b) {
    const float lo = w * static_cast<float>(b);
    const float hi = b + 1 == B ? fs : w * static_cast<float>(b + 1);
    out[b] = energy(psd, 129, fs / 256.0f, lo, hi);
  }
}
