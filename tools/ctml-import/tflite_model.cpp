// SPDX-License-Identifier: Apache-2.0
#include "ctml-import/tflite_model.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <type_traits>

namespace ctml::tflite {

namespace {

// BuiltinOperator names, indexed by code (public TFLite schema, codes 0..205).
constexpr std::array<std::string_view, 206> kOpNames = {
    "ADD",
    "AVERAGE_POOL_2D",
    "CONCATENATION",
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "DEPTH_TO_SPACE",
    "DEQUANTIZE",
    "EMBEDDING_LOOKUP",
    "FLOOR",
    "FULLY_CONNECTED",
    // 10
    "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION",
    "L2_POOL_2D",
    "LOCAL_RESPONSE_NORMALIZATION",
    "LOGISTIC",
    "LSH_PROJECTION",
    "LSTM",
    "MAX_POOL_2D",
    "MUL",
    "RELU",
    // 20
    "RELU_N1_TO_1",
    "RELU6",
    "RESHAPE",
    "RESIZE_BILINEAR",
    "RNN",
    "SOFTMAX",
    "SPACE_TO_DEPTH",
    "SVDF",
    "TANH",
    "CONCAT_EMBEDDINGS",
    // 30
    "SKIP_GRAM",
    "CALL",
    "CUSTOM",
    "EMBEDDING_LOOKUP_SPARSE",
    "PAD",
    "UNIDIRECTIONAL_SEQUENCE_RNN",
    "GATHER",
    "BATCH_TO_SPACE_ND",
    "SPACE_TO_BATCH_ND",
    "TRANSPOSE",
    // 40
    "MEAN",
    "SUB",
    "DIV",
    "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "STRIDED_SLICE",
    "BIDIRECTIONAL_SEQUENCE_RNN",
    "EXP",
    "TOPK_V2",
    "SPLIT",
    // 50
    "LOG_SOFTMAX",
    "DELEGATE",
    "BIDIRECTIONAL_SEQUENCE_LSTM",
    "CAST",
    "PRELU",
    "MAXIMUM",
    "ARG_MAX",
    "MINIMUM",
    "LESS",
    "NEG",
    // 60
    "PADV2",
    "GREATER",
    "GREATER_EQUAL",
    "LESS_EQUAL",
    "SELECT",
    "SLICE",
    "SIN",
    "TRANSPOSE_CONV",
    "SPARSE_TO_DENSE",
    "TILE",
    // 70
    "EXPAND_DIMS",
    "EQUAL",
    "NOT_EQUAL",
    "LOG",
    "SUM",
    "SQRT",
    "RSQRT",
    "SHAPE",
    "POW",
    "ARG_MIN",
    // 80
    "FAKE_QUANT",
    "REDUCE_PROD",
    "REDUCE_MAX",
    "PACK",
    "LOGICAL_OR",
    "ONE_HOT",
    "LOGICAL_AND",
    "LOGICAL_NOT",
    "UNPACK",
    "REDUCE_MIN",
    // 90
    "FLOOR_DIV",
    "REDUCE_ANY",
    "SQUARE",
    "ZEROS_LIKE",
    "FILL",
    "FLOOR_MOD",
    "RANGE",
    "RESIZE_NEAREST_NEIGHBOR",
    "LEAKY_RELU",
    "SQUARED_DIFFERENCE",
    // 100
    "MIRROR_PAD",
    "ABS",
    "SPLIT_V",
    "UNIQUE",
    "CEIL",
    "REVERSE_V2",
    "ADD_N",
    "GATHER_ND",
    "COS",
    "WHERE",
    // 110
    "RANK",
    "ELU",
    "REVERSE_SEQUENCE",
    "MATRIX_DIAG",
    "QUANTIZE",
    "MATRIX_SET_DIAG",
    "ROUND",
    "HARD_SWISH",
    "IF",
    "WHILE",
    // 120
    "NON_MAX_SUPPRESSION_V4",
    "NON_MAX_SUPPRESSION_V5",
    "SCATTER_ND",
    "SELECT_V2",
    "DENSIFY",
    "SEGMENT_SUM",
    "BATCH_MATMUL",
    "PLACEHOLDER_FOR_GREATER_OP_CODES",
    "CUMSUM",
    "CALL_ONCE",
    // 130
    "BROADCAST_TO",
    "RFFT2D",
    "CONV_3D",
    "IMAG",
    "REAL",
    "COMPLEX_ABS",
    "HASHTABLE",
    "HASHTABLE_FIND",
    "HASHTABLE_IMPORT",
    "HASHTABLE_SIZE",
    // 140
    "REDUCE_ALL",
    "CONV_3D_TRANSPOSE",
    "VAR_HANDLE",
    "READ_VARIABLE",
    "ASSIGN_VARIABLE",
    "BROADCAST_ARGS",
    "RANDOM_STANDARD_NORMAL",
    "BUCKETIZE",
    "RANDOM_UNIFORM",
    "MULTINOMIAL",
    // 150
    "GELU",
    "DYNAMIC_UPDATE_SLICE",
    "RELU_0_TO_1",
    "UNSORTED_SEGMENT_PROD",
    "UNSORTED_SEGMENT_MAX",
    "UNSORTED_SEGMENT_SUM",
    "ATAN2",
    "UNSORTED_SEGMENT_MIN",
    "SIGN",
    "BITCAST",
    // 160
    "BITWISE_XOR",
    "RIGHT_SHIFT",
    "STABLEHLO_LOGISTIC",
    "STABLEHLO_ADD",
    "STABLEHLO_DIVIDE",
    "STABLEHLO_MULTIPLY",
    "STABLEHLO_MAXIMUM",
    "STABLEHLO_RESHAPE",
    "STABLEHLO_CLAMP",
    "STABLEHLO_CONCATENATE",
    // 170
    "STABLEHLO_BROADCAST_IN_DIM",
    "STABLEHLO_CONVOLUTION",
    "STABLEHLO_SLICE",
    "STABLEHLO_CUSTOM_CALL",
    "STABLEHLO_REDUCE",
    "STABLEHLO_ABS",
    "STABLEHLO_AND",
    "STABLEHLO_COSINE",
    "STABLEHLO_EXPONENTIAL",
    "STABLEHLO_FLOOR",
    // 180
    "STABLEHLO_LOG",
    "STABLEHLO_MINIMUM",
    "STABLEHLO_NEGATE",
    "STABLEHLO_OR",
    "STABLEHLO_POWER",
    "STABLEHLO_REMAINDER",
    "STABLEHLO_RSQRT",
    "STABLEHLO_SELECT",
    "STABLEHLO_SUBTRACT",
    "STABLEHLO_TANH",
    // 190
    "STABLEHLO_SCATTER",
    "STABLEHLO_COMPARE",
    "STABLEHLO_CONVERT",
    "STABLEHLO_DYNAMIC_SLICE",
    "STABLEHLO_DYNAMIC_UPDATE_SLICE",
    "STABLEHLO_PAD",
    "STABLEHLO_IOTA",
    "STABLEHLO_DOT_GENERAL",
    "STABLEHLO_REDUCE_WINDOW",
    "STABLEHLO_SORT",
    // 200
    "STABLEHLO_WHILE",
    "STABLEHLO_GATHER",
    "STABLEHLO_TRANSPOSE",
    "DILATE",
    "STABLEHLO_RNG_BIT_GENERATOR",
    "REDUCE_WINDOW",
};
static_assert(kOpNames[op::kConv2D] == "CONV_2D");
static_assert(kOpNames[op::kFullyConnected] == "FULLY_CONNECTED");
static_assert(kOpNames[op::kSoftmax] == "SOFTMAX");
static_assert(kOpNames[op::kMaximum] == "MAXIMUM" && kOpNames[op::kMinimum] == "MINIMUM");
static_assert(kOpNames[op::kMean] == "MEAN");
static_assert(kOpNames[op::kQuantize] == "QUANTIZE");
static_assert(kOpNames[op::kHardSwish] == "HARD_SWISH");
static_assert(kOpNames[op::kLeakyRelu] == "LEAKY_RELU");
static_assert(kOpNames[op::kTranspose] == "TRANSPOSE");
static_assert(kOpNames[op::kPadV2] == "PADV2");
static_assert(kOpNames[op::kExpandDims] == "EXPAND_DIMS");
static_assert(kOpNames[op::kTransposeConv] == "TRANSPOSE_CONV");
static_assert(kOpNames[op::kReduceMax] == "REDUCE_MAX");
static_assert(kOpNames[161] == "RIGHT_SHIFT");
static_assert(kOpNames[203] == "DILATE");

constexpr std::array<std::string_view, kMaxTensorType + 1> kTypeNames = {
    "FLOAT32", "FLOAT16",   "INT32",  "UINT8",   "INT64",      "STRING", "BOOL",
    "INT16",   "COMPLEX64", "INT8",   "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE",
    "VARIANT", "UINT32",    "UINT16", "INT4",    "BFLOAT16",
};

constexpr std::array<std::uint8_t, kMaxTensorType + 1> kTypeSizes = {
    4, 2, 4, 1, 8, 0, 1, 2, 8, 1, 8, 16, 8, 0, 0, 4, 2, 0, 2,
};

}  // namespace

std::string_view tensor_type_name(TensorType t) noexcept {
  const auto i = static_cast<int>(t);
  return (i >= 0 && i <= kMaxTensorType) ? kTypeNames[static_cast<std::size_t>(i)] : "UNKNOWN";
}

std::size_t element_size(TensorType t) noexcept {
  const auto i = static_cast<int>(t);
  return (i >= 0 && i <= kMaxTensorType) ? kTypeSizes[static_cast<std::size_t>(i)] : 0;
}

std::string_view builtin_op_name(std::int32_t code) noexcept {
  if (code >= 0 && static_cast<std::size_t>(code) < kOpNames.size()) {
    return kOpNames[static_cast<std::size_t>(code)];
  }
  if (code == 225) return "TEMP_STREAMING_CONV_2D";
  return "UNKNOWN";
}

std::string builtin_op_display_name(std::int32_t code) {
  const std::string_view n = builtin_op_name(code);
  if (n != "UNKNOWN") return std::string(n);
  return "UNKNOWN_OP(" + std::to_string(code) + ")";
}

std::string_view padding_name(Padding p) noexcept {
  switch (p) {
    case Padding::Same:
      return "SAME";
    case Padding::Valid:
      return "VALID";
  }
  return "UNKNOWN";
}

std::string_view activation_name(Activation a) noexcept {
  switch (a) {
    case Activation::None:
      return "NONE";
    case Activation::Relu:
      return "RELU";
    case Activation::ReluN1To1:
      return "RELU_N1_TO_1";
    case Activation::Relu6:
      return "RELU6";
    case Activation::Tanh:
      return "TANH";
    case Activation::SignBit:
      return "SIGN_BIT";
  }
  return "UNKNOWN";
}

std::string_view weights_format_name(FullyConnectedWeightsFormat f) noexcept {
  switch (f) {
    case FullyConnectedWeightsFormat::Default:
      return "DEFAULT";
    case FullyConnectedWeightsFormat::Shuffled4x16Int8:
      return "SHUFFLED4x16INT8";
  }
  return "UNKNOWN";
}

std::uint8_t options_type_of(const Options& o) noexcept {
  struct Visitor {
    std::uint8_t operator()(const std::monostate&) const { return 0; }
    std::uint8_t operator()(const Conv2DOptions&) const { return 1; }
    std::uint8_t operator()(const DepthwiseConv2DOptions&) const { return 2; }
    std::uint8_t operator()(const Pool2DOptions&) const { return 5; }
    std::uint8_t operator()(const FullyConnectedOptions&) const { return 8; }
    std::uint8_t operator()(const SoftmaxOptions&) const { return 9; }
    std::uint8_t operator()(const ConcatenationOptions&) const { return 10; }
    std::uint8_t operator()(const AddOptions&) const { return 11; }
    std::uint8_t operator()(const ReshapeOptions&) const { return 17; }
    std::uint8_t operator()(const MulOptions&) const { return 21; }
    std::uint8_t operator()(const PadOptions&) const { return 22; }
    std::uint8_t operator()(const ReducerOptions&) const { return 27; }
    std::uint8_t operator()(const SubOptions&) const { return 28; }
    std::uint8_t operator()(const SqueezeOptions&) const { return 30; }
    std::uint8_t operator()(const DequantizeOptions&) const { return 38; }
    std::uint8_t operator()(const LeakyReluOptions&) const { return 75; }
    std::uint8_t operator()(const QuantizeOptions&) const { return 89; }
    std::uint8_t operator()(const HardSwishOptions&) const { return 91; }
    std::uint8_t operator()(const TransposeOptions&) const { return 31; }
    std::uint8_t operator()(const PadV2Options&) const { return 37; }
    std::uint8_t operator()(const ExpandDimsOptions&) const { return 52; }
    std::uint8_t operator()(const MaximumMinimumOptions&) const { return 39; }
    std::uint8_t operator()(const StridedSliceOptions&) const { return 32; }
    std::uint8_t operator()(const TransposeConvOptions&) const { return 49; }
    std::uint8_t operator()(const UnidirectionalSequenceLSTMOptions&) const { return 71; }
    std::uint8_t operator()(const SVDFOptions&) const { return 6; }
    std::uint8_t operator()(const UnsupportedOptions& u) const { return u.type; }
  };
  return std::visit(Visitor{}, o);
}

int expected_options_type(std::int32_t code) noexcept {
  switch (code) {
    case op::kConv2D:
      return 1;
    case op::kDepthwiseConv2D:
      return 2;
    case op::kAveragePool2D:
    case op::kMaxPool2D:
      return 5;
    case op::kFullyConnected:
      return 8;
    case op::kSoftmax:
      return 9;
    case op::kConcatenation:
      return 10;
    case op::kAdd:
      return 11;
    case op::kReshape:
      return 17;
    case op::kMul:
      return 21;
    case op::kPad:
      return 22;
    case op::kMean:
    case op::kSum:
    case op::kReduceMax:
      return 27;
    case op::kSub:
      return 28;
    case op::kSqueeze:
      return 30;
    case op::kDequantize:
      return 38;
    case op::kLeakyRelu:
      return 75;
    case op::kQuantize:
      return 89;
    case op::kHardSwish:
      return 91;
    case op::kTranspose:
      return 31;
    case op::kPadV2:
      return 37;
    case op::kExpandDims:
      return 52;
    case op::kMaximum:
    case op::kMinimum:
      return 39;
    case op::kStridedSlice:
      return 32;
    case op::kTransposeConv:
      return 49;
    case op::kUnidirectionalSequenceLstm:
      return 71;
    case op::kSvdf:
      return 6;
    case op::kLogistic:
    case op::kRelu:
    case op::kRelu6:
    case op::kTanh:
      return 0;
    default:
      return -1;
  }
}

bool is_supported_op(std::int32_t code) noexcept { return expected_options_type(code) >= 0; }

bool is_ctml_custom_op(std::string_view custom_code) noexcept {
  return custom_code == "CTML_GRU" || custom_code == "CTML_GRU_RESET_BEFORE";
}

std::size_t Tensor::element_count() const noexcept {
  std::size_t n = 1;
  for (const std::int32_t d : shape) n *= d > 0 ? static_cast<std::size_t>(d) : 0;
  return n;
}

std::span<const std::uint8_t> Model::tensor_data(const Tensor& t) const {
  if (t.buffer >= buffers.size()) return {};
  return buffers[t.buffer].data;
}

namespace {

std::string where(std::size_t g, const char* what, std::size_t i) {
  return "subgraph " + std::to_string(g) + " " + what + " " + std::to_string(i) + ": ";
}

bool valid_padding(Padding p) { return p == Padding::Same || p == Padding::Valid; }
bool valid_activation(Activation a) { return static_cast<int>(a) >= 0 && static_cast<int>(a) <= 5; }

struct OptionsChecker {
  std::string operator()(const Conv2DOptions& c) const {
    if (!valid_padding(c.padding) || !valid_activation(c.activation)) return "bad enum";
    if (c.stride_w < 1 || c.stride_h < 1 || c.dilation_w < 1 || c.dilation_h < 1) {
      return "stride/dilation < 1";
    }
    return {};
  }
  std::string operator()(const DepthwiseConv2DOptions& c) const {
    if (!valid_padding(c.padding) || !valid_activation(c.activation)) return "bad enum";
    if (c.stride_w < 1 || c.stride_h < 1 || c.dilation_w < 1 || c.dilation_h < 1) {
      return "stride/dilation < 1";
    }
    return {};
  }
  std::string operator()(const Pool2DOptions& p) const {
    if (!valid_padding(p.padding) || !valid_activation(p.activation)) return "bad enum";
    if (p.stride_w < 1 || p.stride_h < 1 || p.filter_width < 1 || p.filter_height < 1) {
      return "stride/filter < 1";
    }
    return {};
  }
  std::string operator()(const FullyConnectedOptions& f) const {
    const int wf = static_cast<int>(f.weights_format);
    return valid_activation(f.activation) && (wf == 0 || wf == 1) ? "" : "bad enum";
  }
  std::string operator()(const SoftmaxOptions& s) const {
    return std::isfinite(s.beta) ? "" : "beta not finite";
  }
  std::string operator()(const LeakyReluOptions& l) const {
    return std::isfinite(l.alpha) ? "" : "alpha not finite";
  }
  std::string operator()(const ConcatenationOptions& c) const {
    return valid_activation(c.activation) ? "" : "bad enum";
  }
  std::string operator()(const AddOptions& a) const {
    return valid_activation(a.activation) ? "" : "bad enum";
  }
  std::string operator()(const SubOptions& a) const {
    return valid_activation(a.activation) ? "" : "bad enum";
  }
  std::string operator()(const MulOptions& a) const {
    return valid_activation(a.activation) ? "" : "bad enum";
  }
  template <class T>
  std::string operator()(const T&) const {
    return {};
  }
};

std::string check_options(const Operator& o) {
  const int expected = expected_options_type(o.builtin_code);
  const std::uint8_t actual = options_type_of(o.options);
  if (expected < 0) {
    if (!std::holds_alternative<std::monostate>(o.options) &&
        !std::holds_alternative<UnsupportedOptions>(o.options)) {
      return "unsupported op with decoded options";
    }
    return {};
  }
  if (std::holds_alternative<UnsupportedOptions>(o.options) || actual != expected) {
    return "options type " + std::to_string(actual) + " but op " +
           std::string(builtin_op_name(o.builtin_code)) + " expects " + std::to_string(expected);
  }
  return std::visit(OptionsChecker{}, o.options);
}

}  // namespace

std::string check_model_invariants(const Model& m) {
  if (m.subgraphs.empty()) return "model has no subgraphs";
  for (std::size_t gi = 0; gi < m.subgraphs.size(); ++gi) {
    const SubGraph& g = m.subgraphs[gi];
    const auto n = static_cast<std::int64_t>(g.tensors.size());
    auto in_range = [&](std::int32_t i, bool allow_omitted) {
      return (allow_omitted && i == -1) || (i >= 0 && i < n);
    };
    for (std::size_t ti = 0; ti < g.tensors.size(); ++ti) {
      const Tensor& t = g.tensors[ti];
      const std::string at = where(gi, "tensor", ti);
      const int type = static_cast<int>(t.type);
      if (type < 0 || type > kMaxTensorType) return at + "unknown type";
      if (t.buffer >= m.buffers.size()) return at + "buffer index out of range";
      std::uint64_t elements = 1;
      for (const std::int32_t d : t.shape) {
        if (d < 0) return at + "negative dimension";
        elements *= static_cast<std::uint64_t>(d);
        if (elements > (std::uint64_t{1} << 31)) return at + "too many elements";
      }
      const auto& data = m.buffers[t.buffer].data;
      const std::size_t es = element_size(t.type);
      if (!data.empty() && es != 0 && !t.is_sparse && data.size() != elements * es) {
        return at + "data size mismatch";
      }
      const Quantization& q = t.quantization;
      if (q.scale.size() != q.zero_point.size()) return at + "scale/zero_point count mismatch";
      for (const float s : q.scale) {
        if (!std::isfinite(s) || s < 0.0f) return at + "bad scale";
      }
      if (q.per_channel()) {
        const std::int32_t qd = q.quantized_dimension;
        if (qd < 0 || static_cast<std::size_t>(qd) >= t.shape.size())
          return at + "bad quantized_dimension";
        if (static_cast<std::size_t>(t.shape[static_cast<std::size_t>(qd)]) != q.scale.size()) {
          return at + "per-channel count mismatch";
        }
      }
    }
    for (const std::int32_t i : g.inputs) {
      if (!in_range(i, false)) return where(gi, "input", 0) + "index out of range";
    }
    for (const std::int32_t i : g.outputs) {
      if (!in_range(i, false)) return where(gi, "output", 0) + "index out of range";
    }
    for (std::size_t oi = 0; oi < g.operators.size(); ++oi) {
      const Operator& o = g.operators[oi];
      const std::string at = where(gi, "operator", oi);
      if (o.opcode_index >= m.operator_codes.size()) return at + "opcode_index out of range";
      if (m.operator_codes[o.opcode_index].builtin_code != o.builtin_code) {
        return at + "builtin_code differs from its operator code";
      }
      for (const std::int32_t i : o.inputs) {
        if (!in_range(i, true)) return at + "input index out of range";
      }
      for (const std::int32_t i : o.intermediates) {
        if (!in_range(i, true)) return at + "intermediate index out of range";
      }
      for (const std::int32_t i : o.outputs) {
        if (!in_range(i, false)) return at + "output index out of range";
      }
      if (std::string e = check_options(o); !e.empty()) return at + e;
    }
  }
  return {};
}

template <class T>
std::optional<std::vector<T>> tensor_values(const Model& m, const Tensor& t) {
  static_assert(std::is_arithmetic_v<T>);
  const std::span<const std::uint8_t> bytes = m.tensor_data(t);
  if (bytes.empty() || element_size(t.type) != sizeof(T) || bytes.size() % sizeof(T) != 0) {
    return std::nullopt;
  }
  std::vector<T> out(bytes.size() / sizeof(T));
  for (std::size_t i = 0; i < out.size(); ++i) {
    // Little-endian assembly, independent of the host byte order.
    using U = std::conditional_t<
        sizeof(T) == 1, std::uint8_t,
        std::conditional_t<sizeof(T) == 2, std::uint16_t,
                           std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
    U u = 0;
    for (std::size_t b = 0; b < sizeof(T); ++b) {
      u = static_cast<U>(u | (static_cast<U>(bytes[i * sizeof(T) + b]) << (8 * b)));
    }
    std::memcpy(&out[i], &u, sizeof(T));
  }
  return out;
}

template std::optional<std::vector<std::int8_t>> tensor_values(const Model&, const Tensor&);
template std::optional<std::vector<std::uint8_t>> tensor_values(const Model&, const Tensor&);
template std::optional<std::vector<std::int16_t>> tensor_values(const Model&, const Tensor&);
template std::optional<std::vector<std::int32_t>> tensor_values(const Model&, const Tensor&);
template std::optional<std::vector<std::int64_t>> tensor_values(const Model&, const Tensor&);
template std::optional<std::vector<float>> tensor_values(const Model&, const Tensor&);

}  // namespace ctml::tflite
