// SPDX-License-Identifier: Apache-2.0
// Residual blocks in training: per-sample Trainer and BatchTrainer (BatchNorm inside the blocks
// with batch statistics) against central finite differences in double precision. A binary of its
// own: with the conv tests it would not fit the Cortex-M55 board's 512 KB of code memory.
#include <doctest/doctest.h>

#include <ctml/ctml.hpp>
#include <ctml/train.hpp>
#include "grad_check.hpp"

using namespace ctml;
using ctml::test::check_batch_gradients;
using ctml::test::check_gradients;

TEST_CASE("residual blocks (identity and projection shortcuts): gradients match, training memory adds up") {
  using Net = Sequential<double, Shape<6, 5, 2>, Conv2D<3, Kernel<3, 3>, Same>,
                         Residual<Block<Conv2D<3, Kernel<3, 3>, Same, Fuse<Activation::relu>>, BatchNorm,
                                        Conv2D<3, Kernel<3, 3>, Same>>>,
                         ReLU,
                         Residual<Block<Conv2D<4, Kernel<3, 3>, Stride<2>, Same>, ReLU>,
                                  Block<Conv2D<4, Kernel<1, 1>, Stride<2>>>>,
                         GlobalAveragePool, Dense<3>>;
  static_assert(train::train_arena_bytes<Net> == train::Trainer<Net>::train_arena_bytes);
  static Net net{};
  check_gradients(net);
}

TEST_CASE("BatchTrainer: residual blocks with BatchNorm inside (batch statistics): gradients match") {
  using Net = Sequential<double, Shape<5, 4, 2>, Conv2D<3, Kernel<3, 3>, Same>,
                         Residual<Block<Conv2D<3, Kernel<3, 3>, Same>, BatchNorm, ReLU, Conv2D<3, Kernel<3, 3>, Same>>>,
                         Residual<Block<Conv2D<4, Kernel<3, 3>, Stride<2>, Same>, BatchNorm>,
                                  Block<Conv2D<4, Kernel<1, 1>, Stride<2>>, BatchNorm>>,
                         GlobalAveragePool, Dense<3>>;
  static_assert(train::BatchTrainer<Net, 3>::train_arena_bytes > 3 * train::train_arena_bytes<Net> / 2);
  static Net net{};
  check_batch_gradients<Net, 3>(net);
}
