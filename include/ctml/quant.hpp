// SPDX-License-Identifier: Apache-2.0
#pragma once
// ctml int8: every int8 layer, post-training quantization (quantize(), Calibrator), the int8
// agreement check against the float model. docs/int8.md.
#include <ctml/quant/activation_range.hpp>
#include <ctml/quant/add_s8.hpp>
#include <ctml/quant/agreement.hpp>
#include <ctml/quant/binary_const_s8.hpp>
#include <ctml/quant/calibration.hpp>
#include <ctml/quant/conv1d_s8.hpp>
#include <ctml/quant/conv_s16.hpp>
#include <ctml/quant/conv_s8.hpp>
#include <ctml/quant/dense_s16.hpp>
#include <ctml/quant/dense_s8.hpp>
#include <ctml/quant/gru_s8.hpp>
#include <ctml/quant/hard_swish_s8.hpp>
#include <ctml/quant/leaky_relu_s8.hpp>
#include <ctml/quant/logistic_s8.hpp>
#include <ctml/quant/lstm_s8.hpp>
#include <ctml/quant/maxpool_s8.hpp>
#include <ctml/quant/mean_s8.hpp>
#include <ctml/quant/network_calibration.hpp>
#include <ctml/quant/ptq.hpp>
#include <ctml/quant/quantize_model.hpp>
#include <ctml/quant/quantize_s8.hpp>
#include <ctml/quant/quantize_weights.hpp>
#include <ctml/quant/quantized_model.hpp>
#include <ctml/quant/relu_s8.hpp>
#include <ctml/quant/merge_s8.hpp>
#include <ctml/quant/residual_s8.hpp>
#include <ctml/quant/transpose_conv_s8.hpp>
#include <ctml/quant/softmax_s8.hpp>
#include <ctml/quant/svdf_s8.hpp>
#include <ctml/quant/table_s8.hpp>
#include <ctml/quant/tanh_s8.hpp>
#include <ctml/quant/type_map.hpp>
