// Every float layer in include/ctml/layers/ (and model/residual.hpp) and what it supports, as
// static_asserts only (the mp-units manner): an int8 twin that quantize() builds (Quantizable), a
// backward pass (Trainable), a sparse twin (to_sparse), persistent state (StatefulLayer). Adding a
// layer without a twin is then a visible, deliberate line here; tests/static/CMakeLists.txt fails
// when a layer of include/ctml/layers/ is missing from this file.
#include <cstdint>

#include <ctml/ctml.hpp>
#include <ctml/quant.hpp>
#include <ctml/sparse.hpp>
#include <ctml/train.hpp>

namespace {
using namespace ctml;

template <class Spec, class In>
using F = bind_t<Spec, float, In>;

template <class L>
inline constexpr bool sparsifiable = requires { sizeof(sparse::sparse_conversion<L>); };

template <class L, bool Q, bool T, bool S, bool St>
constexpr bool supports() {
  static_assert(quant::Quantizable<L> == Q, "int8 twin (quant::Quantizable) differs from the table");
  static_assert(train::Trainable<L> == T, "backward pass (train::Trainable) differs from the table");
  static_assert(sparsifiable<L> == S, "sparse twin (sparse::to_sparse) differs from the table");
  static_assert(StatefulLayer<L> == St, "persistent state (StatefulLayer) differs from the table");
  return true;
}

using Img = Shape<8, 8, 4>;
using Vec = Shape<16>;
using Body = Block<Conv2D<4, Kernel<3, 3>, Same>, ReLU>;

//                                                                        int8  train sparse state
// layers/dense.hpp          DenseLayer
static_assert(supports<F<Dense<4>, Vec>,                                  true, true, true, false>());
// layers/conv2d.hpp         Conv2DLayer
static_assert(supports<F<Conv2D<4, Kernel<3, 3>, Same>, Img>,             true, true, true, false>());
// layers/conv1d.hpp         Conv1DLayer
static_assert(supports<F<Conv1D<4, Kernel<3>>, Shape<16, 2>>,             true, true, true, false>());
// layers/depthwise_conv2d.hpp DepthwiseConv2DLayer
static_assert(supports<F<DepthwiseConv2D<Kernel<3, 3>, Same>, Img>,       true, true, true, false>());
// layers/pool2d.hpp         Pool2DLayer (max, average), GlobalAveragePoolLayer
static_assert(supports<F<MaxPool2D<Pool<2, 2>>, Img>,                     true, true, false, false>());
static_assert(supports<F<AveragePool2D<Pool<2, 2>>, Img>,                 true, true, false, false>());
static_assert(supports<F<GlobalAveragePool, Img>,                         true, true, false, false>());
// layers/reshape.hpp        ReshapeLayer
static_assert(supports<F<Flatten, Img>,                                   true, true, false, false>());
// layers/binary_const.hpp   BinaryConstLayer: x OP constant (ctml-import's ADD/SUB/MUL with a
//                           constant); int8: quant/binary_const_s8.hpp, not in PTQ's map
static_assert(supports<BinaryConstLayer<float, Img, 4, ConstOp::mul>,     false, false, false, false>());
// layers/pad.hpp            PadLayer: data movement (ctml-import's PAD); int8 is the same template
static_assert(supports<PadLayer<float, Img, Shape<10, 10, 4>, 1, 1, 0>,   false, false, false, false>());
// layers/transpose.hpp      TransposeLayer: data movement (ctml-import's TRANSPOSE)
static_assert(supports<TransposeLayer<float, Shape<4, 8, 8>, 1, 2, 0>,     false, false, false, false>());
// layers/strided_slice.hpp  StridedSliceLayer: data movement (ctml-import's STRIDED_SLICE)
static_assert(supports<StridedSliceLayer<float, Img, Shape<4, 4, 2>, std::array<std::int32_t, 3>{0, 1, 0},
                                         std::array<std::int32_t, 3>{2, 2, 2}, std::array<std::size_t, 3>{4, 4, 2}>,
                       false, false, false, false>());
// layers/transpose_conv2d.hpp TransposeConv2DLayer (ctml-import's TRANSPOSE_CONV); int8:
//                           quant/transpose_conv_s8.hpp, not in PTQ's map; no backward yet
static_assert(supports<TransposeConv2DLayer<kernels::TransposeConv2DGeometry{4, 4, 3, 8, 8, 5, 3, 3, 2, 2, 0, 0}>,
                       false, false, false, false>());
// layers/softmax.hpp        SoftmaxLayer
static_assert(supports<F<Softmax<>, Vec>,                                 true, true, false, false>());
// layers/activations.hpp    ReLULayer, ReLU6Layer, LeakyReLULayer, SigmoidLayer, TanhLayer, HardSwishLayer
static_assert(supports<F<ReLU, Vec>,                                      true, true, false, false>());
static_assert(supports<F<ReLU6, Vec>,                                     true, true, false, false>());
static_assert(supports<F<Sigmoid, Vec>,                                   true, true, false, false>());
static_assert(supports<F<Tanh, Vec>,                                      true, true, false, false>());
// LeakyReLU and HardSwish have int8 layers (quant/leaky_relu_s8.hpp, hard_swish_s8.hpp, TFLM-exact,
// what ctml-import emits) but no place in PTQ's float -> int8 map yet.
static_assert(supports<F<LeakyReLU, Vec>,                                 false, true, false, false>());
static_assert(supports<F<HardSwish, Vec>,                                 false, true, false, false>());
// layers/batchnorm.hpp      BatchNormLayer: int8 only when folded into the Dense/conv before it
static_assert(supports<F<BatchNorm, Img>,                                 false, true, false, false>());
// layers/sliding_window.hpp SlidingWindowLayer: state; no int8 twin or backward yet
static_assert(supports<F<SlidingWindow<4>, Vec>,                          false, false, false, true>());
// layers/gru.hpp, lstm.hpp  GRULayer, LSTMLayer (sequence form: BPTT, train/backward_gru.hpp,
//                           backward_lstm.hpp), StreamingGRULayer, StreamingLSTMLayer (one step per
//                           call, state); int8: quant::QGRULayer, QLSTMLayer (PTQ of the sequence
//                           form; the streaming int8 layers are made from its cells)
static_assert(supports<F<GRU<4>, Shape<6, 3>>,                            true, true, false, false>());
static_assert(supports<F<LSTM<4, rnn::Output::sequence>, Shape<6, 3>>,    true, true, false, false>());
static_assert(supports<F<StreamingGRU<4>, Shape<3>>,                      false, false, false, true>());
static_assert(supports<F<StreamingLSTM<4>, Shape<3>>,                     false, false, false, true>());
// layers/svdf.hpp           SVDFLayer: one frame per call, memory in the state; int8 twin
//                           quant::QSVDFLayer (ctml-import), not in PTQ's map yet
static_assert(supports<F<SVDF<4, 2, 5>, Shape<6>>,                        false, false, false, true>());
// model/residual.hpp        ResidualLayer
static_assert(supports<F<Residual<Body>, Img>,                            true, true, false, false>());
// model/merge.hpp           MergeLayer: two branches merged (ctml-import's CONCATENATION, MUL, ...);
//                           int8 through quant/merge_s8.hpp's QElementwise, not in PTQ's map
static_assert(supports<MergeLayer<float, Img, F<Body, Img>, Identity, merge::Concat<2>>, false, false, false, false>());
}  // namespace

int main() { return 0; }
