// SPDX-License-Identifier: Apache-2.0
#pragma once
// Everything for float inference: core types, layers, networks, summary.
// Int8 (ctml/quant/), sparse (ctml/sparse/) and training (ctml/train/) have their own headers.
#include <ctml/core/concepts.hpp>
#include <ctml/core/math.hpp>
#include <ctml/core/options.hpp>
#include <ctml/core/shape.hpp>
#include <ctml/core/tensor.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/layers/add.hpp>
#include <ctml/layers/batchnorm.hpp>
#include <ctml/layers/binary_const.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/layers/depthwise_conv2d.hpp>
#include <ctml/layers/pad.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/layers/reshape.hpp>
#include <ctml/layers/sliding_window.hpp>
#include <ctml/layers/gru.hpp>
#include <ctml/layers/lstm.hpp>
#include <ctml/layers/svdf.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/layers/strided_slice.hpp>
#include <ctml/layers/transpose.hpp>
#include <ctml/layers/transpose_conv2d.hpp>
#include <ctml/model/fold.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/merge.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/model/sequential.hpp>
#include <ctml/model/summary.hpp>
#include <ctml/zoo/mlperf_tiny.hpp>
