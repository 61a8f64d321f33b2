// SPDX-License-Identifier: Apache-2.0
// ctml's training gradients against PyTorch autograd (tests/data/train/torch_grads.hpp, written by
// tools/gen/gen_train_vectors.py): a mini-batch through Conv2D -> BatchNorm (training mode) ->
// ReLU -> depthwise -> average pool -> Dense, one sample through a dilated conv -> max pool ->
// BatchNorm (inference) -> global average pool -> Dense -> Softmax(T), and a Conv1D net.
#include <doctest/doctest.h>

#include <cstddef>
#include <ctml/ctml.hpp>
#include <ctml/train.hpp>

#include "train/torch_grads.hpp"

using namespace ctml;

namespace {

template <class Tensor, std::size_t N>
void load(Tensor& t, const double (&v)[N]) {
  static_assert(Tensor::size() == N, "vector size differs from the tensor");
  for (std::size_t i = 0; i < N; ++i) t[i] = v[i];
}
template <std::size_t N>
void check(const double* got, const double (&want)[N], const char* what) {
  for (std::size_t i = 0; i < N; ++i) {
    INFO(what << "[" << i << "]");
    CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-9).scale(1.0));
  }
}

}  // namespace

TEST_CASE("mini-batch with training-mode BatchNorm: output, every gradient and the running statistics equal PyTorch's") {
  using Net = Sequential<double, Shape<8, 6, 2>, Conv2D<3, Kernel<3, 3>, Stride<2>, Same>, BatchNorm, ReLU,
                         DepthwiseConv2D<Kernel<3, 3>, DepthMultiplier<2>, Same>, AveragePool2D<Pool<2, 2>>, Flatten,
                         Dense<4>>;
  constexpr std::size_t B = 3;
  static Net net{};
  load(net.layer<0>().weights, torch_grads::batch_w1);
  load(net.layer<0>().bias, torch_grads::batch_b1);
  load(net.layer<1>().gamma, torch_grads::batch_gamma);
  load(net.layer<1>().beta, torch_grads::batch_beta);
  load(net.layer<1>().running_mean, torch_grads::batch_rmean0);
  load(net.layer<1>().running_var, torch_grads::batch_rvar0);
  load(net.layer<3>().weights, torch_grads::batch_wd);
  load(net.layer<3>().bias, torch_grads::batch_bd);
  load(net.layer<6>().weights, torch_grads::batch_wfc);
  load(net.layer<6>().bias, torch_grads::batch_bfc);
  static Net::input_type xs[B];
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < Net::input_type::size(); ++i) xs[b][i] = torch_grads::batch_x[b * Net::input_type::size() + i];

  static train::BatchTrainer<Net, B> tr;
  tr.momentum = 0.1;
  tr.zero_grad();
  tr.forward(net, xs);
  tr.backward(net, xs, torch_grads::batch_c);

  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < 4; ++i) CHECK(tr.output(b)[i] == doctest::Approx(torch_grads::batch_y[b * 4 + i]).epsilon(1e-9));
  const auto& g = tr.grads;
  check(std::get<0>(g).data(), torch_grads::batch_dw1, "dW conv");
  check(std::get<1>(g).data(), torch_grads::batch_db1, "db conv");
  check(std::get<2>(g).data(), torch_grads::batch_dgamma, "dgamma");
  check(std::get<3>(g).data(), torch_grads::batch_dbeta, "dbeta");
  check(std::get<6>(g).data(), torch_grads::batch_dwd, "dW depthwise");
  check(std::get<7>(g).data(), torch_grads::batch_dbd, "db depthwise");
  check(std::get<8>(g).data(), torch_grads::batch_dwfc, "dW dense");
  check(std::get<9>(g).data(), torch_grads::batch_dbfc, "db dense");
  for (std::size_t b = 0; b < B; ++b) {
    INFO("sample " << b);
    for (std::size_t i = 0; i < Net::input_type::size(); ++i)
      CHECK(tr.input_gradient(b)[i] ==
            doctest::Approx(torch_grads::batch_dx[b * Net::input_type::size() + i]).epsilon(1e-9).scale(1.0));
  }
  check(net.layer<1>().running_mean.data(), torch_grads::batch_rmean1, "running mean");
  check(net.layer<1>().running_var.data(), torch_grads::batch_rvar1, "running var");
}

TEST_CASE("one sample: dilated conv, max pool (same), BatchNorm (inference), GAP, Dense, Softmax(T=2) equal PyTorch") {
  using Net = Sequential<double, Shape<9, 7, 2>, Conv2D<4, Kernel<3, 2>, Dilation<2, 1>, Valid, Fuse<Activation::relu>>,
                         MaxPool2D<Pool<2, 2>, Same>, BatchNorm, GlobalAveragePool, Dense<3>, Softmax<>>;
  static Net net{};
  load(net.layer<0>().weights, torch_grads::single_w1);
  load(net.layer<0>().bias, torch_grads::single_b1);
  load(net.layer<2>().gamma, torch_grads::single_gamma);
  load(net.layer<2>().beta, torch_grads::single_beta);
  load(net.layer<2>().running_mean, torch_grads::single_rmean);
  load(net.layer<2>().running_var, torch_grads::single_rvar);
  load(net.layer<4>().weights, torch_grads::single_wfc);
  load(net.layer<4>().bias, torch_grads::single_bfc);
  net.layer<5>().temperature = 2.0;
  static Net::input_type x;
  load(x, torch_grads::single_x);

  static train::Trainer<Net> tr;
  tr.zero_grad();
  check(tr.forward(net, x).data(), torch_grads::single_y, "output");
  tr.backward(net, x, torch_grads::single_c);
  const auto& g = tr.grads;
  check(std::get<0>(g).data(), torch_grads::single_dw1, "dW conv");
  check(std::get<1>(g).data(), torch_grads::single_db1, "db conv");
  check(std::get<2>(g).data(), torch_grads::single_dgamma, "dgamma");
  check(std::get<3>(g).data(), torch_grads::single_dbeta, "dbeta");
  check(std::get<6>(g).data(), torch_grads::single_dwfc, "dW dense");
  check(std::get<7>(g).data(), torch_grads::single_dbfc, "db dense");
  check(tr.input_gradient(), torch_grads::single_dx, "dx");
}

TEST_CASE("Conv1D (stride 2, same, ReLU6) -> Dense: gradients equal PyTorch") {
  using Net = Sequential<double, Shape<10, 2>, Conv1D<3, Kernel<3>, Stride<2>, Same, Fuse<Activation::relu6>>, Flatten,
                         Dense<2>>;
  static Net net{};
  load(net.layer<0>().weights, torch_grads::conv1d_w1);
  load(net.layer<0>().bias, torch_grads::conv1d_b1);
  load(net.layer<2>().weights, torch_grads::conv1d_wfc);
  load(net.layer<2>().bias, torch_grads::conv1d_bfc);
  static Net::input_type x;
  load(x, torch_grads::conv1d_x);
  static train::Trainer<Net> tr;
  tr.zero_grad();
  check(tr.forward(net, x).data(), torch_grads::conv1d_y, "output");
  tr.backward(net, x, torch_grads::conv1d_c);
  check(std::get<0>(tr.grads).data(), torch_grads::conv1d_dw1, "dW conv1d");
  check(std::get<1>(tr.grads).data(), torch_grads::conv1d_db1, "db conv1d");
  check(std::get<2>(tr.grads).data(), torch_grads::conv1d_dwfc, "dW dense");
  check(std::get<3>(tr.grads).data(), torch_grads::conv1d_dbfc, "db dense");
  check(tr.input_gradient(), torch_grads::conv1d_dx, "dx");
}
