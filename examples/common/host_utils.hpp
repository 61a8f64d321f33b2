// SPDX-License-Identifier: Apache-2.0
#pragma once
// Host-only helpers of the application examples: a progress line with the time left for long
// steps, and the writer of the generated headers' arrays.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <ostream>
#include <type_traits>

namespace ex {

// `what  done/total  elapsed, about N s left` on one line of stderr, at most twice a second.
struct Progress {
  const char* what;
  std::size_t total;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  mutable double shown = -1.0;
  void operator()(std::size_t done) const {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (done != total && s - shown < 0.5) return;
    shown = s;
    const double left = done ? s / static_cast<double>(done) * static_cast<double>(total - done) : 0.0;
    std::fprintf(stderr, "\r%-34s %5zu/%zu  %5.1f s, about %.1f s left   ", what, done, total, s, left);
    if (done == total) std::fprintf(stderr, "\n");
  }
};

// Writes `inline constexpr TYPE NAME[n] = {...};` (floats exactly, as hexadecimal literals).
template <class T>
void write_array(std::ostream& o, const char* type, const char* name, const T* v, std::size_t n) {
  o << "inline constexpr " << type << " " << name << "[" << n << "] = {";
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 8 == 0) o << "\n   ";
    char buf[48];
    if constexpr (std::is_floating_point_v<T>) std::snprintf(buf, sizeof buf, " %af,", static_cast<double>(v[i]));
    else std::snprintf(buf, sizeof buf, " 0x%02x,", static_cast<unsigned>(v[i]));
    o << buf;
  }
  o << "\n};\n";
}

}  // namespace ex
