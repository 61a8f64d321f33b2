// SPDX-License-Identifier: Apache-2.0
// ctml-tflite-dump: prints the tensors, operators and quantization parameters of a .tflite file.
//
//   ctml-tflite-dump [--all-scales] [--strict] MODEL.tflite...
//
// --all-scales  print every per-channel scale and zero point
// --strict      reject ops the code generator does not support (as ctml-import will)
// Exit status: 0 if every model parsed, 1 otherwise (the error names the byte offset).
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "ctml-import/tflite_dump.hpp"
#include "ctml-import/tflite_reader.hpp"

int main(int argc, char** argv) {
  ctml::tflite::DumpOptions dump;
  ctml::tflite::ReadOptions read;
  read.allow_unsupported_ops = true;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--all-scales") {
      dump.all_scales = true;
    } else if (a == "--strict") {
      read.allow_unsupported_ops = false;
    } else if (a == "-h" || a == "--help") {
      std::puts("usage: ctml-tflite-dump [--all-scales] [--strict] MODEL.tflite...");
      return 0;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) {
    std::fputs("usage: ctml-tflite-dump [--all-scales] [--strict] MODEL.tflite...\n", stderr);
    return 2;
  }
  int status = 0;
  for (const std::string& f : files) {
    const auto r = ctml::tflite::read_model_file(f, read);
    if (!r) {
      std::fprintf(stderr, "%s: %s\n", f.c_str(), r.error().to_string().c_str());
      status = 1;
      continue;
    }
    if (files.size() > 1) std::printf("== %s\n", f.c_str());
    std::fputs(ctml::tflite::format_model(r.value(), dump).c_str(), stdout);
  }
  return status;
}
