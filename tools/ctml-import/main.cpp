// SPDX-License-Identifier: Apache-2.0
// ctml-import MODEL.tflite -o OUT.hpp --name NS
// Reads a TFLite model (bounds-checked; malformed files are rejected with the byte offset) and
// writes a header that defines it as ctml types. Exit status 0 on success, 1 on any error.
#include <cctype>
#include <cstdio>
#include <fstream>
#include <string>

#include "codegen.hpp"
#include "tflite_reader.hpp"

int main(int argc, char** argv) {
  std::string in, out, ns;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-o" && i + 1 < argc) out = argv[++i];
    else if (a == "--name" && i + 1 < argc) ns = argv[++i];
    else if (a == "-h" || a == "--help") {
      std::puts("usage: ctml-import MODEL.tflite -o OUT.hpp --name NAMESPACE");
      return 0;
    } else if (in.empty() && !a.empty() && a[0] != '-') in = a;
    else {
      std::fprintf(stderr, "ctml-import: unexpected argument '%s'\n", a.c_str());
      return 1;
    }
  }
  if (in.empty() || out.empty() || ns.empty()) {
    std::fprintf(stderr, "usage: ctml-import MODEL.tflite -o OUT.hpp --name NAMESPACE\n");
    return 1;
  }
  for (char c : ns)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      std::fprintf(stderr, "ctml-import: --name must be a C++ identifier\n");
      return 1;
    }
  auto model = ctml::tflite::read_model_file(in);
  if (!model) {
    std::fprintf(stderr, "ctml-import: %s: %s\n", in.c_str(), model.error().to_string().c_str());
    return 1;
  }
  const auto h = ctml::import::generate_header(model.value(), ns, in.substr(in.find_last_of('/') + 1));
  if (!h.ok) {
    std::fprintf(stderr, "ctml-import: %s: %s\n", in.c_str(), h.error.c_str());
    return 1;
  }
  std::ofstream f(out, std::ios::binary);
  f << h.text;
  if (!f) {
    std::fprintf(stderr, "ctml-import: cannot write %s\n", out.c_str());
    return 1;
  }
  return 0;
}
