// SPDX-License-Identifier: Apache-2.0
// Standalone reproducer of the GCC 12 miscompilation in docs/compiler-notes.md: g++ -O2 deletes
// the call to run() (found "pure" because its stores follow a null-based address that IVOPTs
// made), so no output is written. Build: g++ -std=c++20 -O2 gcc_pure_const_repro.cpp && ./a.out
// Expected: "non-zero outputs: 2036 of 2048" (as -O1, -O3, -Os, clang); GCC 12.2 -O2: "0 of 2048".
#include <cstdio>
struct Layer {
  int zp[4];
  signed char w[32 * 16];
  int bias[32];
  int mult[32];
};
static int dot16(const signed char* a, const signed char* b) {
  int acc = 0;
  for (int i = 0; i < 16; ++i) acc += a[i] * b[i];
  return acc;
}
[[gnu::noinline]] void run(const Layer& l, const signed char* x, signed char* out) {
  for (int p = 0; p < 64; p += 2) {
    const signed char* x0 = x + p * 16;
    const signed char* x1 = x0 + 16;
    signed char* o0 = out + p * 32;
    signed char* o1 = o0 + 32;
    for (int co = 0; co < 32; co += 2) {
      const signed char* w0 = l.w + co * 16;
      const signed char* w1 = w0 + 16;
      const int a00 = l.bias[co] + dot16(x0, w0), a01 = l.bias[co + 1] + dot16(x0, w1);
      const int a10 = l.bias[co] + dot16(x1, w0), a11 = l.bias[co + 1] + dot16(x1, w1);
      const int m0 = l.mult[co], m1 = l.mult[co + 1];
      o0[co] = static_cast<signed char>((static_cast<long long>(a00) * m0) >> 40);
      o0[co + 1] = static_cast<signed char>((static_cast<long long>(a01) * m1) >> 40);
      o1[co] = static_cast<signed char>((static_cast<long long>(a10) * m0) >> 40);
      o1[co + 1] = static_cast<signed char>((static_cast<long long>(a11) * m1) >> 40);
    }
  }
}
static Layer layer;
static signed char in[64 * 16], out[64 * 32];
int main() {
  for (int co = 0; co < 32; ++co) {
    layer.bias[co] = co * 100 - 1600;
    layer.mult[co] = 1 << 30;
  }
  for (int i = 0; i < 32 * 16; ++i) layer.w[i] = static_cast<signed char>(i * 7);
  for (int i = 0; i < 64 * 16; ++i) in[i] = static_cast<signed char>(i * 13);
  run(layer, in, out);
  int n = 0;
  for (signed char v : out) n += v != 0;
  std::printf("non-zero outputs: %d of %d\n", n, 64 * 32);
  return n == 0;
}
