// SPDX-License-Identifier: Apache-2.0
// ctml-import MODEL -o OUT.hpp --name NS [--tflite OUT.tflite]
// Reads a TFLite model (bounds-checked; malformed files are rejected with the byte offset), an
// ONNX model or an XGBoost JSON model (told by the content: a .tflite file carries "TFL3" at byte
// 4; ONNX support needs protobuf at build time; XGBoost's JSON is an object with a "learner") and
// writes a header that defines it as ctml types (XGBoost: a trees::Forest, README.md). --tflite also writes
// the model as ctml-import understood it (for an ONNX model: its translation, which TFLite Micro
// can run as an oracle). Exit status 0 on success, 1 on any error.
#include <cctype>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "codegen.hpp"
#include "tflite_reader.hpp"
#include "tflite_writer.hpp"
#include "xgboost_import.hpp"
#if CTML_IMPORT_ONNX
#include "onnx_import.hpp"
#endif

namespace {
constexpr const char* kUsage = "usage: ctml-import MODEL(.tflite|.onnx|.json) -o OUT.hpp --name NAMESPACE [--tflite OUT.tflite]";
}

int main(int argc, char** argv) {
  std::string in, out, ns, tflite_out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-o" && i + 1 < argc) out = argv[++i];
    else if (a == "--name" && i + 1 < argc) ns = argv[++i];
    else if (a == "--tflite" && i + 1 < argc) tflite_out = argv[++i];
    else if (a == "-h" || a == "--help") {
      std::puts(kUsage);
      return 0;
    } else if (in.empty() && !a.empty() && a[0] != '-') in = a;
    else {
      std::fprintf(stderr, "ctml-import: unexpected argument '%s'\n", a.c_str());
      return 1;
    }
  }
  if (in.empty() || out.empty() || ns.empty()) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 1;
  }
  if (std::isdigit(static_cast<unsigned char>(ns[0]))) {
    std::fprintf(stderr, "ctml-import: --name must be a C++ identifier\n");
    return 1;
  }
  for (char c : ns)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      std::fprintf(stderr, "ctml-import: --name must be a C++ identifier\n");
      return 1;
    }
  std::vector<std::uint8_t> bytes;
  std::string io_error;
  if (!ctml::tflite::read_file_bytes(in, bytes, io_error)) {
    std::fprintf(stderr, "ctml-import: %s: %s\n", in.c_str(), io_error.c_str());
    return 1;
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (ctml::xgboost::looks_like_xgboost_json(text)) {
    if (!tflite_out.empty()) {
      std::fprintf(stderr, "ctml-import: --tflite applies to neural networks, not to XGBoost models\n");
      return 1;
    }
    auto r = ctml::xgboost::import_model(text);
    if (!r.model) {
      std::fprintf(stderr, "ctml-import: %s: %s\n", in.c_str(), r.error.c_str());
      return 1;
    }
    r.model->description += " (" + in.substr(in.find_last_of('/') + 1) + ")";
    std::ofstream f(out, std::ios::binary);
    ctml::trees::HeaderOptions opt;
    opt.name = ns;
    opt.quantizer_type = "int16";
    const std::string e = ctml::trees::write_header(f, std::move(*r.model), opt);
    if (!e.empty()) {
      std::fprintf(stderr, "ctml-import: %s: %s\n", in.c_str(), e.c_str());
      return 1;
    }
    if (!f) {
      std::fprintf(stderr, "ctml-import: cannot write %s\n", out.c_str());
      return 1;
    }
    return 0;
  }
  ctml::tflite::Model model;
#if CTML_IMPORT_ONNX
  if (ctml::onnx::looks_like_onnx(bytes)) {
    auto r = ctml::onnx::import_model(bytes);
    if (!r && r.error().context == "protobuf") {  // neither format: say why for both
      const auto t = ctml::tflite::read_model(bytes);
      std::fprintf(stderr, "ctml-import: %s: neither a TFLite model (%s) nor an ONNX model (%s)\n", in.c_str(),
                   t ? "?" : t.error().to_string().c_str(), r.error().message.c_str());
      return 1;
    }
    if (!r) {
      std::fprintf(stderr, "ctml-import: %s: %s\n", in.c_str(), r.error().message.c_str());
      return 1;
    }
    model = std::move(r.value());
  } else
#endif
  {
    auto r = ctml::tflite::read_model(bytes);
    if (!r) {
      std::fprintf(stderr, "ctml-import: %s: %s\n", in.c_str(), r.error().to_string().c_str());
#if !CTML_IMPORT_ONNX
      std::fprintf(stderr, "ctml-import: (this build reads .tflite only: ONNX needs protobuf and onnx.proto at build time)\n");
#endif
      return 1;
    }
    model = std::move(r.value());
  }
  if (!tflite_out.empty()) {
    const auto fb = ctml::tflite::write_model(model);
    std::ofstream f(tflite_out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(fb.data()), static_cast<std::streamsize>(fb.size()));
    if (!f) {
      std::fprintf(stderr, "ctml-import: cannot write %s\n", tflite_out.c_str());
      return 1;
    }
  }
  const auto h = ctml::import::generate_header(model, ns, in.substr(in.find_last_of('/') + 1));
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
