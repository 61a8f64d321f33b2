// SPDX-License-Identifier: Apache-2.0
#pragma once
// ctml-import: the plain in-memory description of a TFLite model.
//
// This is what tflite_reader.hpp produces and tflite_writer.hpp serialises; it is the contract
// between the reader and the code generator. Host tool code only (uses the heap and the standard
// library freely); never included by the ctml headers.
//
// Everything the reader returns has been checked (see read_model() in tflite_reader.hpp):
//   * every tensor index in SubGraph::inputs/outputs and Operator::outputs is in
//     [0, tensors.size()); Operator::inputs/intermediates entries are in [-1, tensors.size())
//     (-1 = optional input omitted);
//   * Tensor::buffer < Model::buffers.size(); Operator::opcode_index < operator_codes.size();
//   * shapes have non-negative dimensions and at most 2^31 elements;
//   * a non-empty Buffer::data of a fixed-size element type holds exactly
//     element_count(shape) * element_size(type) bytes (sparse tensors excepted);
//   * Quantization: scale.size() == zero_point.size(); per-axis (size > 1) parameters have
//     quantized_dimension < rank and exactly shape[quantized_dimension] entries; every scale is
//     finite and >= 0;
//   * Operator::options holds the alternative matching Operator::builtin_code (or
//     UnsupportedOptions / monostate for ops the reader does not decode; see ReadOptions).
//
// Layout conventions (TFLite): activations NHWC; CONV_2D weights OHWI [Cout][KH][KW][Cin];
// DEPTHWISE_CONV_2D weights [1][KH][KW][Cin*M]; FULLY_CONNECTED weights [Out][In]; int8 weights
// are symmetric (zero_point 0), per-channel on quantized_dimension (0 for conv, 3 for
// depthwise); biases int32 with scale = input_scale * weight_scale[c] and zero_point 0.
// Real value = scale * (q - zero_point).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ctml::tflite {

// ------------------------------------------------------------------------------------------------
// Enumerations (values are those of the TFLite schema).
// ------------------------------------------------------------------------------------------------
enum class TensorType : std::int8_t {
  Float32 = 0,
  Float16 = 1,
  Int32 = 2,
  UInt8 = 3,
  Int64 = 4,
  String = 5,
  Bool = 6,
  Int16 = 7,
  Complex64 = 8,
  Int8 = 9,
  Float64 = 10,
  Complex128 = 11,
  UInt64 = 12,
  Resource = 13,
  Variant = 14,
  UInt32 = 15,
  UInt16 = 16,
  Int4 = 17,
  BFloat16 = 18,
};
inline constexpr int kMaxTensorType = 18;

// "INT8", "FLOAT32", ...; "UNKNOWN" for values outside the enum.
std::string_view tensor_type_name(TensorType t) noexcept;
// Bytes per element; 0 for types without a fixed element size (STRING, RESOURCE, VARIANT, INT4).
std::size_t element_size(TensorType t) noexcept;

// BuiltinOperator codes. Only the ones ctml cares about are named here; builtin_op_name() knows
// every code of the public schema up to REDUCE_WINDOW (205).
namespace op {
inline constexpr std::int32_t kAdd = 0;
inline constexpr std::int32_t kAveragePool2D = 1;
inline constexpr std::int32_t kConcatenation = 2;
inline constexpr std::int32_t kConv2D = 3;
inline constexpr std::int32_t kDepthwiseConv2D = 4;
inline constexpr std::int32_t kDequantize = 6;
inline constexpr std::int32_t kFullyConnected = 9;
inline constexpr std::int32_t kLogistic = 14;
inline constexpr std::int32_t kMaxPool2D = 17;
inline constexpr std::int32_t kMul = 18;
inline constexpr std::int32_t kRelu = 19;
inline constexpr std::int32_t kRelu6 = 21;
inline constexpr std::int32_t kReshape = 22;
inline constexpr std::int32_t kSoftmax = 25;
inline constexpr std::int32_t kTanh = 28;
inline constexpr std::int32_t kSvdf = 27;
inline constexpr std::int32_t kCustom = 32;
inline constexpr std::int32_t kPad = 34;
inline constexpr std::int32_t kMean = 40;
inline constexpr std::int32_t kSub = 41;
inline constexpr std::int32_t kSqueeze = 43;
inline constexpr std::int32_t kUnidirectionalSequenceLstm = 44;
inline constexpr std::int32_t kStridedSlice = 45;
inline constexpr std::int32_t kMaximum = 55;
inline constexpr std::int32_t kMinimum = 57;
inline constexpr std::int32_t kTranspose = 39;
inline constexpr std::int32_t kPadV2 = 60;
inline constexpr std::int32_t kExpandDims = 70;
inline constexpr std::int32_t kTransposeConv = 67;
inline constexpr std::int32_t kSum = 74;
inline constexpr std::int32_t kReduceMax = 82;
inline constexpr std::int32_t kLeakyRelu = 98;
inline constexpr std::int32_t kQuantize = 114;
inline constexpr std::int32_t kHardSwish = 117;
inline constexpr std::int32_t kPlaceholderForGreaterOpCodes = 127;
}  // namespace op

// "CONV_2D", "FULLY_CONNECTED", ...; "UNKNOWN" for codes not in the table.
std::string_view builtin_op_name(std::int32_t code) noexcept;

// ctml's own CUSTOM ops, which the ONNX translation writes where TFLite has no builtin (a GRU:
// "CTML_GRU", reset after the recurrent product as PyTorch's, "CTML_GRU_RESET_BEFORE"). They take
// no options; the reader accepts them so that `ctml-import --tflite` output reads back. TFLite
// Micro does not know them.
bool is_ctml_custom_op(std::string_view custom_code) noexcept;
// "CONV_2D" or "UNKNOWN_OP(300)".
std::string builtin_op_display_name(std::int32_t code);

enum class Padding : std::int8_t { Same = 0, Valid = 1 };
enum class Activation : std::int8_t {
  None = 0,
  Relu = 1,
  ReluN1To1 = 2,
  Relu6 = 3,
  Tanh = 4,
  SignBit = 5,
};
enum class FullyConnectedWeightsFormat : std::int8_t { Default = 0, Shuffled4x16Int8 = 1 };

std::string_view padding_name(Padding p) noexcept;        // "SAME" / "VALID" / "UNKNOWN"
std::string_view activation_name(Activation a) noexcept;  // "NONE", "RELU", "RELU6", ...
std::string_view weights_format_name(FullyConnectedWeightsFormat f) noexcept;

// ------------------------------------------------------------------------------------------------
// Builtin options. Each struct mirrors the schema table (defaults = schema defaults). The union
// tag written to / expected in the file is options_type_of(Options).
// ------------------------------------------------------------------------------------------------
struct Conv2DOptions {  // CONV_2D; union tag 1
  Padding padding = Padding::Same;
  std::int32_t stride_w = 0;
  std::int32_t stride_h = 0;
  Activation activation = Activation::None;
  std::int32_t dilation_w = 1;
  std::int32_t dilation_h = 1;
  // The bias and accumulator type of a quantized conv (version 8+); FLOAT32, the schema default,
  // means "from the bias tensor" (TFLite Micro: int32 only when set to INT32 without a bias).
  TensorType quantized_bias_type = TensorType::Float32;
  bool operator==(const Conv2DOptions&) const = default;
};

struct DepthwiseConv2DOptions {  // DEPTHWISE_CONV_2D; union tag 2
  Padding padding = Padding::Same;
  std::int32_t stride_w = 0;
  std::int32_t stride_h = 0;
  std::int32_t depth_multiplier = 0;  // redundant in TFLite >= 2.1; derive M from the shapes
  Activation activation = Activation::None;
  std::int32_t dilation_w = 1;
  std::int32_t dilation_h = 1;
  bool operator==(const DepthwiseConv2DOptions&) const = default;
};

struct Pool2DOptions {  // AVERAGE_POOL_2D, MAX_POOL_2D; union tag 5
  Padding padding = Padding::Same;
  std::int32_t stride_w = 0;
  std::int32_t stride_h = 0;
  std::int32_t filter_width = 0;
  std::int32_t filter_height = 0;
  Activation activation = Activation::None;
  bool operator==(const Pool2DOptions&) const = default;
};

struct FullyConnectedOptions {  // FULLY_CONNECTED; union tag 8
  Activation activation = Activation::None;
  FullyConnectedWeightsFormat weights_format = FullyConnectedWeightsFormat::Default;
  bool keep_num_dims = false;
  bool asymmetric_quantize_inputs = false;
  TensorType quantized_bias_type = TensorType::Float32;  // as Conv2DOptions' (version 11+)
  bool operator==(const FullyConnectedOptions&) const = default;
};

struct SoftmaxOptions {  // SOFTMAX; union tag 9
  float beta = 0.0f;     // the schema default is 0, converters always write 1.0
  bool operator==(const SoftmaxOptions&) const = default;
};

struct ConcatenationOptions {  // CONCATENATION; union tag 10
  std::int32_t axis = 0;
  Activation activation = Activation::None;
  bool operator==(const ConcatenationOptions&) const = default;
};

struct AddOptions {  // ADD; union tag 11
  Activation activation = Activation::None;
  bool pot_scale_int16 = true;
  bool operator==(const AddOptions&) const = default;
};

struct ReshapeOptions {  // RESHAPE; union tag 17
  // Absent in newer models, which pass the shape as a second (constant int32) input tensor.
  std::optional<std::vector<std::int32_t>> new_shape;
  bool operator==(const ReshapeOptions&) const = default;
};

struct MulOptions {  // MUL; union tag 21
  Activation activation = Activation::None;
  bool operator==(const MulOptions&) const = default;
};

struct PadOptions {  // PAD; union tag 22 (empty table)
  bool operator==(const PadOptions&) const = default;
};

struct ReducerOptions {  // MEAN, SUM, REDUCE_MAX; union tag 27 (axes are the second input)
  bool keep_dims = false;
  bool operator==(const ReducerOptions&) const = default;
};

struct SubOptions {  // SUB; union tag 28
  Activation activation = Activation::None;
  bool pot_scale_int16 = true;
  bool operator==(const SubOptions&) const = default;
};

struct SqueezeOptions {  // SQUEEZE; union tag 30
  std::vector<std::int32_t> squeeze_dims;
  bool operator==(const SqueezeOptions&) const = default;
};

struct TransposeOptions {  // TRANSPOSE; union tag 31 (empty table; the permutation is input 1)
  bool operator==(const TransposeOptions&) const = default;
};

struct PadV2Options {  // PADV2; union tag 37 (empty table; paddings and value are inputs 1, 2)
  bool operator==(const PadV2Options&) const = default;
};

struct ExpandDimsOptions {  // EXPAND_DIMS; union tag 52 (empty table; the axis is input 1)
  bool operator==(const ExpandDimsOptions&) const = default;
};

struct StridedSliceOptions {  // STRIDED_SLICE; union tag 32 (begin, end, strides are inputs 1-3)
  std::int32_t begin_mask = 0;
  std::int32_t end_mask = 0;
  std::int32_t ellipsis_mask = 0;
  std::int32_t new_axis_mask = 0;
  std::int32_t shrink_axis_mask = 0;
  bool offset = false;  // end is an offset from begin
  bool operator==(const StridedSliceOptions&) const = default;
};

struct TransposeConvOptions {  // TRANSPOSE_CONV; union tag 49 (output shape, weights, input, bias are inputs 0-3)
  Padding padding = Padding::Same;
  std::int32_t stride_w = 0;
  std::int32_t stride_h = 0;
  Activation activation = Activation::None;  // version >= 4
  bool operator==(const TransposeConvOptions&) const = default;
};

struct SVDFOptions {  // SVDF; union tag 6
  std::int32_t rank = 0;
  Activation activation = Activation::None;
  bool asymmetric_quantize_inputs = false;
  bool operator==(const SVDFOptions&) const = default;
};

struct UnidirectionalSequenceLSTMOptions {  // UNIDIRECTIONAL_SEQUENCE_LSTM; union tag 71
  Activation activation = Activation::None;  // of the cell gate and the cell state (TANH)
  float cell_clip = 0.0f;                    // 0: no clipping
  float proj_clip = 0.0f;
  bool time_major = false;
  bool asymmetric_quantize_inputs = false;
  bool diagonal_recurrent_tensors = false;
  bool operator==(const UnidirectionalSequenceLSTMOptions&) const = default;
};

struct MaximumMinimumOptions {  // MAXIMUM, MINIMUM; union tag 39 (empty table)
  bool operator==(const MaximumMinimumOptions&) const = default;
};

struct DequantizeOptions {  // DEQUANTIZE; union tag 38 (empty table)
  bool operator==(const DequantizeOptions&) const = default;
};

struct LeakyReluOptions {  // LEAKY_RELU; union tag 75
  float alpha = 0.0f;
  bool operator==(const LeakyReluOptions&) const = default;
};

struct QuantizeOptions {  // QUANTIZE; union tag 89 (empty table)
  bool operator==(const QuantizeOptions&) const = default;
};

struct HardSwishOptions {  // HARD_SWISH; union tag 91 (empty table)
  bool operator==(const HardSwishOptions&) const = default;
};

// Options table of an op the reader does not decode (only with ReadOptions::allow_unsupported_ops).
// The writer emits an empty table with this tag.
struct UnsupportedOptions {
  std::uint8_t type = 0;  // BuiltinOptions union tag as found in the file
  bool operator==(const UnsupportedOptions&) const = default;
};

// std::monostate: no options table (union tag NONE), e.g. RELU, LOGISTIC, TANH, or an op whose
// options are absent.
using Options = std::variant<std::monostate, Conv2DOptions, DepthwiseConv2DOptions, Pool2DOptions,
                             FullyConnectedOptions, SoftmaxOptions, ConcatenationOptions,
                             AddOptions, ReshapeOptions, MulOptions, PadOptions, ReducerOptions,
                             SubOptions, SqueezeOptions, DequantizeOptions, LeakyReluOptions,
                             QuantizeOptions, HardSwishOptions, TransposeOptions, PadV2Options,
                             ExpandDimsOptions, MaximumMinimumOptions, StridedSliceOptions, TransposeConvOptions,
                             UnidirectionalSequenceLSTMOptions, SVDFOptions, UnsupportedOptions>;

// BuiltinOptions union tag of the held alternative (0 for monostate).
std::uint8_t options_type_of(const Options& o) noexcept;

// The options alternative the reader expects for a builtin code: its union tag, or -1 when the
// reader does not decode that op (unsupported). 0 = the op takes no options table.
int expected_options_type(std::int32_t builtin_code) noexcept;
// True for the ops the reader decodes (expected_options_type() >= 0).
bool is_supported_op(std::int32_t builtin_code) noexcept;

// ------------------------------------------------------------------------------------------------
// Model description.
// ------------------------------------------------------------------------------------------------
struct Quantization {
  std::vector<float> scale;              // empty: tensor is not quantized
  std::vector<std::int64_t> zero_point;  // same length as scale
  std::int32_t quantized_dimension = 0;  // axis of per-channel parameters
  std::vector<float> min;                // informational (TF import), usually empty
  std::vector<float> max;
  bool has_custom_details = false;  // QuantizationDetails union present (not decoded)

  bool empty() const noexcept { return scale.empty(); }
  bool per_channel() const noexcept { return scale.size() > 1; }
  bool operator==(const Quantization&) const = default;
};

struct Tensor {
  std::string name;
  std::vector<std::int32_t> shape;  // NHWC for activations; [] = scalar
  TensorType type = TensorType::Float32;
  std::uint32_t buffer = 0;  // index into Model::buffers (0 = no data)
  Quantization quantization;
  bool is_variable = false;
  bool has_rank = false;
  bool is_sparse = false;                     // SparsityParameters present (not decoded)
  std::vector<std::int32_t> shape_signature;  // -1 = dynamic dimension; usually empty

  std::size_t element_count() const noexcept;  // product of shape (1 for a scalar)
  bool operator==(const Tensor&) const = default;
};

struct Operator {
  std::uint32_t opcode_index = 0;    // index into Model::operator_codes
  std::int32_t builtin_code = 0;     // = operator_codes[opcode_index].builtin_code (copied)
  std::vector<std::int32_t> inputs;  // tensor indices, -1 = omitted optional input
  std::vector<std::int32_t> outputs;
  std::vector<std::int32_t> intermediates;
  Options options;
  bool has_custom_options = false;  // custom_options bytes present (not decoded)

  std::uint8_t options_type() const noexcept { return options_type_of(options); }
  bool operator==(const Operator&) const = default;
};

struct OperatorCode {
  // Resolved as TFLite does: max(builtin_code field (int32, id 3), deprecated_builtin_code
  // field (int8, id 0)).
  std::int32_t builtin_code = 0;
  std::string custom_code;  // for CUSTOM ops
  std::int32_t version = 1;
  bool operator==(const OperatorCode&) const = default;
};

struct SubGraph {
  std::string name;
  std::vector<Tensor> tensors;
  std::vector<std::int32_t> inputs;
  std::vector<std::int32_t> outputs;
  std::vector<Operator> operators;  // in execution order
  bool operator==(const SubGraph&) const = default;
};

struct Buffer {
  std::vector<std::uint8_t> data;  // raw little-endian tensor bytes; empty = no data
  // Informational, not compared by ==: where `data` was found in the file (0 if empty) and
  // whether it came from the offset/size fields of the >2 GB format instead of the data vector.
  std::uint64_t file_offset = 0;
  bool external = false;
  bool operator==(const Buffer& o) const { return data == o.data; }
};

struct Model {
  std::uint32_t version = 3;
  std::string description;
  std::vector<OperatorCode> operator_codes;
  std::vector<SubGraph> subgraphs;  // [0] is the main graph; the reader guarantees >= 1
  std::vector<Buffer> buffers;      // [0] is by convention the empty sentinel

  const SubGraph& main_graph() const { return subgraphs.at(0); }
  SubGraph& main_graph() { return subgraphs.at(0); }
  // The constant data of a tensor (empty span if it has none).
  std::span<const std::uint8_t> tensor_data(const Tensor& t) const;
  bool operator==(const Model&) const = default;
};

// Re-checks every guarantee listed at the top of this file (read_model() already enforces
// them). Returns an empty string if they hold, else a description of the first violation.
// Useful for models built by hand and as an independent oracle in tests and fuzzing.
std::string check_model_invariants(const Model& m);

// Decodes the constant data of `t` as little-endian values of T (int8_t, uint8_t, int16_t,
// int32_t, int64_t, float). Returns nullopt if the tensor has no data or the element size of
// its type differs from sizeof(T).
template <class T>
std::optional<std::vector<T>> tensor_values(const Model& m, const Tensor& t);

extern template std::optional<std::vector<std::int8_t>> tensor_values(const Model&, const Tensor&);
extern template std::optional<std::vector<std::uint8_t>> tensor_values(const Model&, const Tensor&);
extern template std::optional<std::vector<std::int16_t>> tensor_values(const Model&, const Tensor&);
extern template std::optional<std::vector<std::int32_t>> tensor_values(const Model&, const Tensor&);
extern template std::optional<std::vector<std::int64_t>> tensor_values(const Model&, const Tensor&);
extern template std::optional<std::vector<float>> tensor_values(const Model&, const Tensor&);

}  // namespace ctml::tflite
