// SPDX-License-Identifier: Apache-2.0
#pragma once
// Training and distillation: backward passes, losses, optimizers, Trainer. See docs/training.md.
#include <ctml/train/backward.hpp>
#include <ctml/train/losses.hpp>
#include <ctml/train/optim.hpp>
#include <ctml/train/trainer.hpp>
