// SPDX-License-Identifier: Apache-2.0
#pragma once
// The four MLPerf Tiny reference networks (mlcommons/tiny, benchmark/training/*), float, exactly
// as published, as ctml types. Dropout is an identity at inference and is omitted. BatchNorm is
// kept as a layer; ctml::fold_batchnorm merges it into the preceding conv/dense for deployment.
#include <ctml/core/options.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/layers/batchnorm.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/layers/depthwise_conv2d.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/layers/reshape.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/model/sequential.hpp>

namespace ctml::zoo {

// Keyword spotting, DS-CNN (small): 49 MFCC frames x 10 coefficients -> 12 classes.
template <std::size_t Filters = 64>
using DsCnnBlock = Block<DepthwiseConv2D<Kernel<3, 3>, Same>, BatchNorm, ReLU,
                         Conv2D<Filters, Kernel<1, 1>, Same>, BatchNorm, ReLU>;

template <class T = float>
using KwsDsCnn = Sequential<T, Shape<49, 10, 1>,
                            Conv2D<64, Kernel<10, 4>, Stride<2, 2>, Same>, BatchNorm, ReLU,
                            DsCnnBlock<>, DsCnnBlock<>, DsCnnBlock<>, DsCnnBlock<>,
                            AveragePool2D<Pool<25, 5>>, Flatten, Dense<12>, Softmax<>>;

// Visual wake words, MobileNetV1 with width multiplier 0.25: 96x96 RGB -> person / no person.
template <std::size_t Filters, std::size_t S>
using MobileNetBlock = Block<DepthwiseConv2D<Kernel<3, 3>, Stride<S, S>, Same>, BatchNorm, ReLU,
                             Conv2D<Filters, Kernel<1, 1>, Same>, BatchNorm, ReLU>;

template <class T = float>
using VwwMobileNetV1 =
    Sequential<T, Shape<96, 96, 3>, Conv2D<8, Kernel<3, 3>, Stride<2, 2>, Same>, BatchNorm, ReLU,
               MobileNetBlock<16, 1>, MobileNetBlock<32, 2>, MobileNetBlock<32, 1>,
               MobileNetBlock<64, 2>, MobileNetBlock<64, 1>, MobileNetBlock<128, 2>,
               MobileNetBlock<128, 1>, MobileNetBlock<128, 1>, MobileNetBlock<128, 1>,
               MobileNetBlock<128, 1>, MobileNetBlock<128, 1>, MobileNetBlock<256, 2>,
               MobileNetBlock<256, 1>, AveragePool2D<Pool<3, 3>>, Flatten, Dense<2>, Softmax<>>;

// Image classification, ResNet-8 for CIFAR-10: 32x32 RGB -> 10 classes.
template <std::size_t Filters, std::size_t S>
using ResNetBody = Block<Conv2D<Filters, Kernel<3, 3>, Stride<S, S>, Same>, BatchNorm, ReLU,
                         Conv2D<Filters, Kernel<3, 3>, Same>, BatchNorm>;

template <class T = float>
using ResNet8 = Sequential<
    T, Shape<32, 32, 3>, Conv2D<16, Kernel<3, 3>, Same>, BatchNorm, ReLU,
    Residual<ResNetBody<16, 1>>, ReLU,
    Residual<ResNetBody<32, 2>, Block<Conv2D<32, Kernel<1, 1>, Stride<2, 2>, Same>>>, ReLU,
    Residual<ResNetBody<64, 2>, Block<Conv2D<64, Kernel<1, 1>, Stride<2, 2>, Same>>>, ReLU,
    AveragePool2D<Pool<8, 8>>, Flatten, Dense<10>, Softmax<>>;

// Anomaly detection, fully connected autoencoder on 5 frames x 128 mel bins = 640 features.
template <std::size_t Units>
using AeDense = Block<Dense<Units>, BatchNorm, ReLU>;

template <class T = float>
using AdAutoencoder =
    Sequential<T, Shape<640>, AeDense<128>, AeDense<128>, AeDense<128>, AeDense<128>, AeDense<8>,
               AeDense<128>, AeDense<128>, AeDense<128>, AeDense<128>, Dense<640>>;

}  // namespace ctml::zoo
