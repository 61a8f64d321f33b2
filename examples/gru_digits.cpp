// A GRU trained in ctml on the handwritten digits read as sequences (each 8x8 image as 8 rows of
// 8 pixels, one row per time step, as TFLite Micro's mnist_lstm example reads MNIST), then run
// streaming: the same weights in a StreamingGRU that takes one row per call and keeps its state
// in the caller's Model::state_type, as firmware would read a sensor frame by frame.
// Prints `gru accuracy=0.XXXX params=N`, `streaming agreement=N/N`; progress on stderr.
#include <cstddef>
#include <cstdio>

#include "digits_common.hpp"

using namespace ctml;
using namespace digits;

namespace {
// 64 pixels -> [8 rows, 8 pixels] -> GRU over the rows (its last state) -> 10 logits.
using Net = Sequential<float, Shape<64>, Reshape<8, 8>, GRU<24>, Dense<10>>;
// The streaming form: one row per call, then the classifier on the state.
using Stream = Sequential<float, Shape<8>, StreamingGRU<24>, Dense<10>>;
}  // namespace

int main() {
  make_split();
  static Net net{};
  Rng rng{11};
  init(net, rng);
  fit(net, "gru", 40, 4e-3f);
  const double acc = accuracy(net, test_from, n_test);
  std::printf("gru accuracy=%.4f params=%zu\n", acc, static_cast<std::size_t>(Net::param_count));

  // The trained weights into the streaming network (the cells hold the same parameters).
  static Stream stream{};
  static_cast<GRUCell<float, 8, 24, rnn::Reset::after>&>(stream.layer<0>()) = net.layer<1>();
  stream.layer<1>() = net.layer<2>();
  static_assert(Stream::state_bytes == 24 * sizeof(float));
  alignas(16) static std::byte arena[Stream::arena_bytes + 1];
  std::size_t agree = 0;
  for (std::size_t k = test_from; k < test_from + n_test; ++k) {
    const auto x = input(order[k]);
    Stream::state_type state{};
    stream.reset(state);
    Stream::output_type z{};
    for (std::size_t row = 0; row < 8; ++row) {  // one row per call, as frames arrive
      Stream::input_type frame{};
      for (std::size_t i = 0; i < 8; ++i) frame[i] = x[row * 8 + i];
      stream(frame, z, arena, state);
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < 10; ++i)
      if (z[i] > z[best]) best = i;
    agree += best == argmax_of(net, x);
  }
  std::printf("streaming agreement=%zu/%zu\n", agree, n_test);
  return acc >= 0.85 && agree == n_test ? 0 : 1;
}
