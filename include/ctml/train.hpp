// SPDX-License-Identifier: Apache-2.0
#pragma once
// Training and distillation: backward passes, losses, optimizers, Trainer. See docs/training.md.
#include <ctml/train/backward.hpp>
#include <ctml/train/backward_activations.hpp>
#include <ctml/train/backward_batchnorm.hpp>
#include <ctml/train/backward_conv1d.hpp>
#include <ctml/train/backward_conv2d.hpp>
#include <ctml/train/backward_dense.hpp>
#include <ctml/train/backward_gru.hpp>
#include <ctml/train/backward_lstm.hpp>
#include <ctml/train/backward_depthwise_conv2d.hpp>
#include <ctml/train/backward_pool2d.hpp>
#include <ctml/train/backward_reshape.hpp>
#include <ctml/train/backward_softmax.hpp>
#include <ctml/train/losses.hpp>
#include <ctml/train/optim.hpp>
#include <ctml/train/trainer.hpp>
