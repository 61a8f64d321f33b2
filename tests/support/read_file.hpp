// SPDX-License-Identifier: Apache-2.0
#pragma once
// A whole file's bytes (empty when it cannot be read), in one allocation of the file's size: the
// Cortex-M test boards read files through semihosting and have a small heap.
#include <cstdio>
#include <string>
#include <vector>

namespace ctml::test {

inline std::vector<unsigned char> read_file(const std::string& path) {
  std::vector<unsigned char> b;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    if (std::fseek(f, 0, SEEK_END) == 0) {
      const long size = std::ftell(f);
      if (size > 0 && std::fseek(f, 0, SEEK_SET) == 0) {
        b.resize(static_cast<std::size_t>(size));
        b.resize(std::fread(b.data(), 1, b.size(), f));
      }
    }
    std::fclose(f);
  }
  return b;
}

}  // namespace ctml::test
