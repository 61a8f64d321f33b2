// SPDX-License-Identifier: Apache-2.0
// Firmware image: the GRU digit classifier trained in ctml (examples/gru_digits.cpp), run
// streaming on Cortex-M under QEMU: one call per 8-pixel row, the GRU's state in the caller's
// Model::state_type, on the 271 test digits shipped with the model.
// The weights arrive as a ctml weight blob (examples/data/gru_digits_trained.hpp) and are parsed,
// checked (CRC, model fingerprint, finite values) and laid out by the compiler: the model is
// constexpr data in flash and a damaged blob fails the build. The reference is the training
// machine's logits for the same digits: every logit agrees to float rounding (1e-4 + 1e-4 |z|;
// the device's libm and fused multiply-adds differ from the host's) and the accuracy is the
// recorded one. Then the same for its int8 twin (ctml's post-training quantization), whose logits
// must be the recorded bytes exactly. Reports instructions per step and per digit, state, arena
// and stack bytes of both.
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "data/gru_digits_trained.hpp"
#include "gru_digits_stream.hpp"

namespace fw {
using gru_digits::QStream;
using gru_digits::Stream;
namespace trained = gru_digits::trained;

struct Loaded {
  Stream model{};
  QStream qmodel{};
  ctml::BlobResult result{}, qresult{};
};
inline constexpr Loaded loaded = [] {
  Loaded l{};
  l.result = gru_digits::load(l.model, trained::blob);
  l.qresult = gru_digits::load(l.qmodel, trained::qblob);
  return l;
}();
static_assert(loaded.result, "examples/data/gru_digits_trained.hpp: the weight blob does not load into gru_digits::Stream");
static_assert(loaded.qresult, "examples/data/gru_digits_trained.hpp: the int8 weight blob does not load into gru_digits::QStream");
inline constexpr const Stream& gru_model = loaded.model;
inline constexpr const QStream& qgru_model = loaded.qmodel;
}  // namespace fw

alignas(16) static std::byte arena[fw::Stream::arena_bytes > fw::QStream::arena_bytes ? fw::Stream::arena_bytes : fw::QStream::arena_bytes];

int main() {
  board::paint_stack();
  board::counter_start();
  std::size_t correct = 0, close = 0;
  std::uint64_t first_digit = 0;
  for (std::size_t k = 0; k < fw::trained::test_count; ++k) {
    float z[gru_digits::classes];
    const std::uint64_t n = board::count_instructions([&] { gru_digits::classify(fw::gru_model, fw::trained::test_pixels[k], z, arena); });
    if (k == 0) first_digit = n;
    correct += gru_digits::argmax(z) == fw::trained::test_labels[k];
    close += gru_digits::logits_close(z, fw::trained::logits[k]);
  }
  std::size_t qcorrect = 0, qsame = 0;
  std::uint64_t qfirst_digit = 0;
  for (std::size_t k = 0; k < fw::trained::test_count; ++k) {
    std::int8_t z[gru_digits::classes];
    const std::uint64_t n = board::count_instructions([&] {
      gru_digits::classify(fw::qgru_model, {fw::trained::input_scale, fw::trained::input_zero_point}, fw::trained::test_pixels[k], z, arena);
    });
    if (k == 0) qfirst_digit = n;
    qcorrect += gru_digits::argmax(z) == fw::trained::test_labels[k];
    bool same = true;
    for (std::size_t i = 0; i < gru_digits::classes; ++i) same = same && z[i] == fw::trained::qlogits[k][i];
    qsame += same;
  }
  const std::size_t stack = board::stack_used();
  const bool ok = close == fw::trained::test_count && correct == fw::trained::test_correct;
  const bool qok = qsame == fw::trained::test_count && qcorrect == fw::trained::qtest_correct;
  board::Out() << "fw_gru_digits (" << board::name << "): accuracy=" << correct << "/" << fw::trained::test_count
               << " instructions_per_digit=" << first_digit << " per_step=" << first_digit / gru_digits::rows
               << " state=" << fw::Stream::state_bytes << " arena=" << fw::Stream::arena_bytes << " stack=" << stack
               << " logits_close=" << close << "/" << fw::trained::test_count
               << (ok ? " matches the training machine ok\n" : " FAILED: differs from the training machine\n");
  board::Out() << "fw_gru_digits int8 (" << board::name << "): accuracy=" << qcorrect << "/" << fw::trained::test_count
               << " instructions_per_digit=" << qfirst_digit << " per_step=" << qfirst_digit / gru_digits::rows
               << " state=" << fw::QStream::state_bytes << " arena=" << fw::QStream::arena_bytes << " logits_equal=" << qsame << "/"
               << fw::trained::test_count
               << (qok ? " matches the training machine ok\n" : " FAILED: differs from the training machine\n");
  return ok && qok ? 0 : 1;
}
