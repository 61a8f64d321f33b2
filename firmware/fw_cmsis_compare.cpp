// SPDX-License-Identifier: Apache-2.0
// ctml against CMSIS-NN on one core, in one run, layer by layer: an int8 model's every layer runs
// through ctml's kernel and through the CMSIS-NN function TFLite Micro's cmsis_nn kernels call for
// that op (arm_convolve_wrapper_s8, arm_depthwise_conv_wrapper_s8, arm_fully_connected_wrapper_s8,
// arm_avgpool_s8, arm_elementwise_add_s8, arm_softmax_s8), on the same input bytes with the same
// weights, biases, multipliers, shifts, zero points and clamps, and both must give the same output
// bytes. Instructions are counted around each call (QEMU icount); what TFLite Micro does once in
// Prepare (CMSIS-NN's kernel sums on Helium) is done before counting, as there. The interpreter's
// own overhead is not counted: this compares kernels with kernels.
//   FW_NS=kws|ad   the imported ../shared model (ctml-import), its eight golden inputs, each
//                  checked against TFLite Micro's output bytes too;
//   FW_ZOO_resnet8 / FW_ZOO_vww   ctml's zoo type in int8 with random weights and scales that
//                  keep activations spread, made by the compiler (the cost does not depend on the
//                  values).
// Residual blocks are compared step by step (body layers, projection, ADD) and as ctml runs them.
// Output, per layer: "layer NAME KIND macs=M ctml=N cmsis=N ratio=R scratch=B/B", then one line per
// kind (conv, pointwise, depthwise, dense, pool, add, softmax), then the whole model: ctml's
// planned arena run against the sum of CMSIS-NN's layers, arena and scratch bytes.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <ctml/ctml.hpp>
#include <ctml/quant.hpp>
#include <ctml/zoo/mlperf_tiny.hpp>

#include "board.hpp"

extern "C" {
#include "arm_nnfunctions.h"
}

#if defined(FW_NS)
#include "generated.hpp"
#include "golden.hpp"
#define FW_STR2(x) #x
#define FW_STR(x) FW_STR2(x)
#endif

namespace fw {

using ctml::kernels::Conv2DGeometry;
namespace q = ctml::quant;

// ---------------------------------------------------------------------------------------------
// The model under test.
#if defined(FW_NS)
using Model = FW_NS::Model;
constexpr const char* model_name = FW_STR(FW_NS);
const Model& model() { return FW_NS::model; }
constexpr std::size_t inputs = golden_pairs;
const std::int8_t* input(std::size_t n) { return reinterpret_cast<const std::int8_t*>(golden_in[n]); }
#else
#if defined(FW_ZOO_resnet8)
using Float = ctml::zoo::ResNet8<float>;
constexpr const char* model_name = "resnet8";
#elif defined(FW_ZOO_vww)
using Float = ctml::zoo::VwwMobileNetV1<float>;
constexpr const char* model_name = "vww";
#else
#error "define FW_NS (an imported model) or FW_ZOO_resnet8 / FW_ZOO_vww"
#endif
using Model = ctml::quant::quantized_t<Float>;
constexpr std::size_t inputs = 2;

struct Lcg {
  std::uint32_t s;
  constexpr std::uint32_t next() { return s = s * 1664525u + 1013904223u; }
  constexpr std::int32_t uniform(std::int32_t a) {  // in [-a, a]
    return static_cast<std::int32_t>((next() >> 8) % static_cast<std::uint32_t>(2 * a + 1)) - a;
  }
};

// The int8 twin of the zoo network as PTQ would give it, made by the compiler (so it is flash
// data, as a deployed model is): weights uniform in [-127, 127], small biases, and each layer's
// output scale set so that its outputs spread over the int8 range with the zero point at -128,
// half of them clamped as after a ReLU (every activation of these nets follows a ReLU). PTQ of
// random float weights on the device would give other values, not another cost: no kernel here
// branches on the data. (The float net and its calibrator do not fit the M55's 512 KB of RAM.)
template <class L>
constexpr void make_int8(L& l, Lcg& g) {
  if constexpr (requires { L::layer_count; l.template layer<0>(); }) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (make_int8(l.template layer<I>(), g), ...); }(
        std::make_index_sequence<L::layer_count>{});
  } else if constexpr (requires { l.body; l.add; L::projected; }) {
    make_int8(l.body, g);
    if constexpr (L::projected) make_int8(l.shortcut, g);
    l.add = q::make_add_params({1.0f, -128}, {1.0f, -128}, {2.0f, -128}, ctml::Activation::relu);
    l.prepare();  // the ADD's tables
  } else if constexpr (requires { l.weights; l.multiplier; }) {
    const std::size_t K = l.weights.size() / l.bias.size();
    for (auto& w : l.weights) w = static_cast<std::int8_t>(g.uniform(127));
    for (auto& b : l.bias) b = g.uniform(2000);
    // acc = sum w (x + 128): sqrt(K) * 73 (w's spread) * ~90 (x's); scaled to ~64 output steps.
    double sqrt_k = 1.0;
    while (sqrt_k * sqrt_k < static_cast<double>(K)) sqrt_k += 0.25;
    const double w_scale = 1.0;
    q::set_output_stage(l, {1.0f, -128}, &w_scale, 1, {static_cast<float>(sqrt_k * 73.0 * 90.0 / 64.0), -128},
                        ctml::Activation::none);
    l.prepare();
  } else if constexpr (requires { l.params.diff_min; }) {
    l.params = q::make_softmax_params(1.0, 1.0 / 16.0);
  }
}

constexpr Model make_model() {
  Model m{};
  Lcg g{0x5eed};
  make_int8(m, g);
  return m;
}
constexpr Model zoo_model = make_model();

constexpr std::array<Model::input_type, inputs> make_inputs() {
  std::array<Model::input_type, inputs> x{};
  Lcg g{0x1234};
  for (auto& t : x)
    for (auto& v : t) v = static_cast<std::int8_t>(g.uniform(127));
  return x;
}
constexpr std::array<Model::input_type, inputs> zoo_inputs = make_inputs();

const Model& model() { return zoo_model; }
const std::int8_t* input(std::size_t n) { return zoo_inputs[n].data(); }
#endif

// ---------------------------------------------------------------------------------------------
// Buffers: activations (the model's input, a chain's two, a residual block's body and shortcut
// chains two each), CMSIS-NN's output, its context buffer and ctml's scratch, sized for the
// largest tensor and scratch of any layer (blocks included) so that the M55's 512 KB suffice.
template <class L>
constexpr bool is_network = requires(const L& l) {
  L::layer_count;
  l.template layer<0>();
};
template <class L>
constexpr bool is_residual = requires(const L& l) {
  l.body;
  l.add;
  L::projected;
};
struct Need {
  std::size_t act = 0, scratch = 0;
};
template <class L>
constexpr Need need() {
  using Tr = ctml::layer_traits<L>;
  Need n{std::max(Tr::input_type::size_bytes(), Tr::output_type::size_bytes()), Tr::scratch_bytes};
  auto merge = [&](Need m) { n = {std::max(n.act, m.act), std::max(n.scratch, m.scratch)}; };
  if constexpr (is_network<L>)
    [&]<std::size_t... I>(std::index_sequence<I...>) { (merge(need<typename L::template layer_type<I>>()), ...); }(
        std::make_index_sequence<L::layer_count>{});
  else if constexpr (is_residual<L>) {
    merge(need<std::remove_cvref_t<decltype(std::declval<L&>().body)>>());
    if constexpr (L::projected) merge(need<std::remove_cvref_t<decltype(std::declval<L&>().shortcut)>>());
  }
  return n;
}
constexpr std::size_t act_bytes = (need<Model>().act + 15) / 16 * 16;
constexpr std::size_t scratch_bytes = (need<Model>().scratch + 15) / 16 * 16 + 16;
constexpr std::size_t cmsis_buf_bytes = 8 * 1024;  // checked against CMSIS-NN's request per layer
enum Buf : std::size_t { in_buf, out_buf, tmp_buf, body_out, body_tmp, short_out, short_tmp, bufs };
alignas(16) std::int8_t act[bufs][act_bytes];
alignas(16) std::int8_t block_out[act_bytes];
alignas(16) std::int8_t cmsis_out[act_bytes];
alignas(16) std::int8_t cmsis_buf[cmsis_buf_bytes];
alignas(16) std::byte ctml_scratch[scratch_bytes];
alignas(16) std::byte arena[Model::arena_bytes + 16];
Model::input_type whole_input{};
Model::output_type whole_output{};

// ---------------------------------------------------------------------------------------------
// Totals per kind of layer.
enum Kind : std::size_t { conv, pointwise, depthwise, dense, pool, add, softmax, reshape, kinds };
constexpr std::array<const char*, kinds> kind_names{"conv", "pointwise", "depthwise", "dense", "pool", "add", "softmax", "reshape"};
struct Totals {
  std::uint64_t ctml = 0, cmsis = 0, macs = 0;
};
std::array<Totals, kinds> totals{};
std::uint64_t ctml_total = 0, cmsis_total = 0;
std::int32_t cmsis_scratch_max = 0;
std::size_t ctml_scratch_max = 0;
std::size_t mismatches = 0;
bool report = true;

void print_ratio(board::Out& o, std::uint64_t a, std::uint64_t b) {
  o << board::fixed(b ? static_cast<double>(a) / static_cast<double>(b) : 0.0, 3);
}

// One layer's line and totals; `same` is the verdict on the output bytes.
void record(std::string_view name, Kind k, std::size_t macs, std::uint64_t n_ctml, std::uint64_t n_cmsis,
            std::size_t s_ctml, std::int32_t s_cmsis, bool same) {
  if (!same) ++mismatches;
  if (!report) return;
  totals[k].ctml += n_ctml;
  totals[k].cmsis += n_cmsis;
  totals[k].macs += macs;
  ctml_total += n_ctml;
  cmsis_total += n_cmsis;
  cmsis_scratch_max = std::max(cmsis_scratch_max, s_cmsis);
  ctml_scratch_max = std::max(ctml_scratch_max, s_ctml);
  board::Out o;
  o << "layer " << name << ' ' << kind_names[k] << " macs=" << macs << " ctml=" << n_ctml << " cmsis=" << n_cmsis
    << " ratio=";
  print_ratio(o, n_ctml, n_cmsis);
  o << " scratch=" << s_ctml << '/' << s_cmsis << (same ? "" : " FAILED: CMSIS-NN gives other bytes") << '\n';
}

// One CMSIS-NN call counted; a status other than success counts as a mismatch.
template <class F>
std::uint64_t counted(F&& call) {
  arm_cmsis_nn_status st = ARM_CMSIS_NN_SUCCESS;
  const std::uint64_t n = board::count_instructions([&] { st = call(); });
  if (st != ARM_CMSIS_NN_SUCCESS) ++mismatches;
  return n;
}

// CMSIS-NN's context for a layer that asks for `size` bytes (an image too small for it stops).
cmsis_nn_context context(std::int32_t size) {
  if (size > static_cast<std::int32_t>(cmsis_buf_bytes)) {
    board::Out() << "CMSIS-NN asks for " << size << " bytes of buffer, the image has " << cmsis_buf_bytes << ": FAILED\n";
    __builtin_trap();
  }
  return {size > 0 ? cmsis_buf : nullptr, size};
}

constexpr cmsis_nn_dims dims(std::size_t n, std::size_t h, std::size_t w, std::size_t c) {
  return {static_cast<std::int32_t>(n), static_cast<std::int32_t>(h), static_cast<std::int32_t>(w),
          static_cast<std::int32_t>(c)};
}
constexpr cmsis_nn_tile tile(std::size_t h, std::size_t w) { return {static_cast<std::int32_t>(w), static_cast<std::int32_t>(h)}; }

// ---------------------------------------------------------------------------------------------
// The CMSIS-NN call for each ctml int8 layer type: peer<L>::run(layer, in, out, n) counts the
// call's instructions into n and returns the context buffer bytes it needed (as TFLite Micro's
// Prepare asks for them).
template <class L>
struct peer;

// What CMSIS-NN's conv and depthwise parameters share, from a ctml layer and its geometry (TFLite
// Micro's cmsis_nn kernels fill them the same way: the input offset is -zp, the output offset +zp).
template <class P, Conv2DGeometry G, class L>
P window_params(const L& l) {
  P p{};
  p.input_offset = -l.input_zero_point;
  p.output_offset = l.output_zero_point;
  p.stride = tile(G.sh, G.sw);
  p.padding = tile(G.pt, G.pl);
  p.dilation = tile(G.dh, G.dw);
  p.activation = {l.act_min, l.act_max};
  return p;
}
// CMSIS-NN takes the multipliers and shifts as non-const pointers; it only reads them.
template <class L>
cmsis_nn_per_channel_quant_params per_channel(const L& l) {
  return {const_cast<std::int32_t*>(l.multiplier.data()), const_cast<std::int32_t*>(l.shift.data())};
}

template <Conv2DGeometry G>
struct peer<q::QConv2DLayer<G>> {
  static constexpr Kind kind = G.kh == 1 && G.kw == 1 ? pointwise : conv;
  static std::int32_t run(const q::QConv2DLayer<G>& l, const std::int8_t* in, std::int8_t* out,
                          std::uint64_t& n) {
    const auto p = window_params<cmsis_nn_conv_params, G>(l);
    auto qp = per_channel(l);
    const cmsis_nn_dims id = dims(1, G.ih, G.iw, G.cin), fd = dims(G.cout, G.kh, G.kw, G.cin),
                        bd = dims(1, 1, 1, G.cout), od = dims(1, G.oh, G.ow, G.cout);
    const std::int32_t size = arm_convolve_wrapper_s8_get_buffer_size(&p, &id, &fd, &od);
    cmsis_nn_context ctx = context(size);
    n = counted([&] { return arm_convolve_wrapper_s8(&ctx, &p, &qp, &id, in, &fd, l.weights.data(), &bd, l.bias.data(), &od, out); });
    return size;
  }
};

template <Conv2DGeometry G>
struct peer<q::QDepthwiseConv2DLayer<G>> {
  static constexpr Kind kind = depthwise;
  static std::int32_t run(const q::QDepthwiseConv2DLayer<G>& l, const std::int8_t* in, std::int8_t* out,
                          std::uint64_t& n) {
    auto p = window_params<cmsis_nn_dw_conv_params, G>(l);
    p.ch_mult = static_cast<std::int32_t>(G.cout / G.cin);
    auto qp = per_channel(l);
    const cmsis_nn_dims id = dims(1, G.ih, G.iw, G.cin), fd = dims(1, G.kh, G.kw, G.cout), bd = dims(1, 1, 1, G.cout),
                        od = dims(1, G.oh, G.ow, G.cout);
    const std::int32_t size = arm_depthwise_conv_wrapper_s8_get_buffer_size(&p, &id, &fd, &od);
    cmsis_nn_context ctx = context(size);
    n = counted([&] { return arm_depthwise_conv_wrapper_s8(&ctx, &p, &qp, &id, in, &fd, l.weights.data(), &bd, l.bias.data(), &od, out); });
    return size;
  }
};

template <class In, std::size_t Units>
struct peer<q::QDenseLayer<In, Units>> {
  static constexpr Kind kind = dense;
  static std::int32_t run(const q::QDenseLayer<In, Units>& l, const std::int8_t* in, std::int8_t* out,
                          std::uint64_t& n) {
    constexpr std::size_t K = In::size;
    cmsis_nn_fc_params p{};
    p.input_offset = -l.input_zero_point;
    p.filter_offset = 0;
    p.output_offset = l.output_zero_point;
    p.activation = {l.act_min, l.act_max};
    // Per-tensor when every channel has the same multiplier (TFLite's FULLY_CONNECTED default).
    bool per_channel = false;
    for (std::size_t o = 1; o < Units; ++o)
      per_channel |= l.multiplier[o] != l.multiplier[0] || l.shift[o] != l.shift[0];
    cmsis_nn_quant_params qp{const_cast<std::int32_t*>(l.multiplier.data()), const_cast<std::int32_t*>(l.shift.data()),
                             per_channel ? 1 : 0};
    const cmsis_nn_dims id = dims(1, 1, 1, K), fd = dims(K, 1, 1, Units), bd = dims(1, 1, 1, Units),
                        od = dims(1, 1, 1, Units);
    // TFLite Micro's Prepare: the kernel sums, where CMSIS-NN wants them (Helium), once.
    const std::int32_t size = arm_fully_connected_s8_get_buffer_size(&fd);
    cmsis_nn_context ctx = context(size);
    if (size > 0)
      arm_vector_sum_s8(reinterpret_cast<std::int32_t*>(cmsis_buf), static_cast<std::int32_t>(K),
                        static_cast<std::int32_t>(Units), l.weights.data(), p.input_offset, p.filter_offset, l.bias.data());
    n = counted([&] { return arm_fully_connected_wrapper_s8(&ctx, &p, &qp, &id, in, &fd, l.weights.data(), &bd, l.bias.data(), &od, out); });
    return size;
  }
};

template <Conv2DGeometry G>
struct peer<q::QAveragePool2DLayer<G>> {
  static constexpr Kind kind = pool;
  static std::int32_t run(const q::QAveragePool2DLayer<G>& l, const std::int8_t* in, std::int8_t* out,
                          std::uint64_t& n) {
    cmsis_nn_pool_params p{};
    p.stride = tile(G.sh, G.sw);
    p.padding = tile(G.pt, G.pl);
    p.activation = {l.act_min, l.act_max};
    const cmsis_nn_dims id = dims(1, G.ih, G.iw, G.cin), fd = dims(1, G.kh, G.kw, 1), od = dims(1, G.oh, G.ow, G.cin);
    const std::int32_t size = arm_avgpool_s8_get_buffer_size(static_cast<int>(G.ow), static_cast<int>(G.cin));
    cmsis_nn_context ctx = context(size);
    n = counted([&] { return arm_avgpool_s8(&ctx, &p, &id, in, &fd, &od, out); });
    return size;
  }
};

template <class S>
struct peer<q::QSoftmaxLayer<S>> {
  static constexpr Kind kind = softmax;
  static std::int32_t run(const q::QSoftmaxLayer<S>& l, const std::int8_t* in, std::int8_t* out,
                          std::uint64_t& n) {
    using L = q::QSoftmaxLayer<S>;
    n = counted([&] {
      arm_softmax_s8(in, static_cast<std::int32_t>(L::rows), static_cast<std::int32_t>(L::depth), l.params.input_multiplier,
                     l.params.input_left_shift, l.params.diff_min, out);
      return ARM_CMSIS_NN_SUCCESS;
    });
    return 0;
  }
};

// RESHAPE: TFLite Micro copies when input and output are different tensors, as here.
template <class T, class In, class Out>
struct peer<ctml::ReshapeLayer<T, In, Out>> {
  static constexpr Kind kind = reshape;
  static std::int32_t run(const ctml::ReshapeLayer<T, In, Out>&, const std::int8_t* in, std::int8_t* out,
                          std::uint64_t& n) {
    n = counted([&] {
      std::memcpy(out, in, In::size * sizeof(T));
      return ARM_CMSIS_NN_SUCCESS;
    });
    return 0;
  }
};

// ---------------------------------------------------------------------------------------------
// One layer through both: ctml from `in` into `out`, CMSIS-NN from `in` into cmsis_out, compared.
template <class L>
void compare(const L& l, std::string_view name, const std::int8_t* in, std::int8_t* out);


// Layer names ("3.1": layer 1 of the block that is layer 3), one buffer per nesting depth, and
// two more for a residual block's projection and ADD.
constexpr std::size_t proj_slot = 6, add_slot = 7;
char names[8][24];
std::string_view layer_name(std::size_t depth, std::string_view prefix, std::size_t i) {
  char* p = names[depth];
  std::size_t k = 0;
  for (char c : prefix) p[k++] = c;
  if (!prefix.empty()) p[k++] = '.';
  if (i >= 10) p[k++] = static_cast<char>('0' + i / 10);
  p[k++] = static_cast<char>('0' + i % 10);
  return {p, k};
}

std::size_t depth_now = 0;

// A chain of layers: each layer's output (ctml's) is the next one's input; ends with the chain's
// output in `out`.
template <class Net>
void compare_chain(const Net& net, std::string_view prefix, const std::int8_t* in, std::int8_t* out, std::int8_t* tmp) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    const std::int8_t* src = in;
    (
        [&] {
          constexpr std::size_t left = Net::layer_count - 1 - I;
          std::int8_t* dst = left % 2 == 0 ? out : tmp;  // the last layer writes `out`
          ++depth_now;
          compare(net.template layer<I>(), layer_name(depth_now, prefix, I), src, dst);
          --depth_now;
          src = dst;
        }(),
        ...);
  }(std::make_index_sequence<Net::layer_count>{});
}

template <class L>
void compare(const L& l, std::string_view name, const std::int8_t* in, std::int8_t* out) {
  using Tr = ctml::layer_traits<L>;
  if constexpr (is_residual<L>) {
    // Step by step, as TFLite Micro runs it: the body, the projection, the ADD.
    using Out = typename Tr::output_type;
    compare_chain(l.body, name, in, act[body_out], act[body_tmp]);
    const std::int8_t* other = in;
    if constexpr (L::projected) {
      const std::string_view proj = layer_name(proj_slot, name, 9);
      if constexpr (is_network<std::remove_cvref_t<decltype(l.shortcut)>>)
        compare_chain(l.shortcut, proj, in, act[short_out], act[short_tmp]);
      else
        compare(l.shortcut, proj, in, act[short_out]);
      other = act[short_out];
    }
    const q::AddParams& a = l.add;
    std::uint64_t n_cmsis = 0, n_ctml = 0;
    n_cmsis = board::count_instructions([&] {
      arm_elementwise_add_s8(act[body_out], other, a.input1_offset, a.input1.value, a.input1.shift, a.input2_offset, a.input2.value,
                             a.input2.shift, q::AddParams::left_shift, cmsis_out, a.output_offset, a.output.value,
                             a.output.shift, a.act_min, a.act_max, static_cast<std::int32_t>(Out::size()));
    });
    std::memcpy(out, act[body_out], Out::size());  // the block's ADD works in place
    n_ctml = board::count_instructions([&] { l.merge(out, other); });
    record(layer_name(add_slot, name, 10), fw::add, Out::size(), n_ctml, n_cmsis, 0, 0,
           std::memcmp(out, cmsis_out, Out::size()) == 0);
    // ctml's own block (body, projection and the ADD fused in place): the same bytes, and its cost.
    const std::uint64_t n_block = board::count_instructions(
        [&] { l.forward(in, block_out, reinterpret_cast<typename Tr::scratch_value*>(ctml_scratch)); });
    const bool same = std::memcmp(block_out, out, Out::size()) == 0;
    if (!same) ++mismatches;
    if (report)
      board::Out() << "block " << name << " residual macs=" << Tr::macs << " ctml=" << n_block
                   << (same ? "" : " FAILED: the block differs from its steps") << '\n';
  } else {
    using P = peer<L>;
    std::uint64_t n_ctml = 0, n_cmsis = 0;
    n_ctml = board::count_instructions(
        [&] { l.forward(in, out, reinterpret_cast<typename Tr::scratch_value*>(ctml_scratch)); });
    const std::int32_t s = P::run(l, in, cmsis_out, n_cmsis);
    record(name, P::kind, Tr::macs, n_ctml, n_cmsis, Tr::scratch_bytes, s,
           std::memcmp(out, cmsis_out, Tr::output_type::size()) == 0);
  }
}

}  // namespace fw

int main() {
  using namespace fw;
  board::counter_start();
  const Model& m = model();
  std::size_t exact = 0;
  std::uint64_t whole = 0;
  for (std::size_t n = 0; n < inputs; ++n) {
    report = n == 0;
    ctml_total = cmsis_total = 0;
    std::memcpy(act[in_buf], input(n), Model::input_type::size());
    std::memcpy(whole_input.data(), input(n), Model::input_type::size());
    compare_chain(m, "", act[in_buf], act[out_buf], act[tmp_buf]);
    // The whole model as it runs in an application: ctml's planned arena.
    const std::uint64_t w =
        board::count_instructions([&] { m(whole_input, whole_output, std::span<std::byte>(arena)); });
    if (n == 0) whole = w;
    bool ok = std::memcmp(whole_output.data(), act[out_buf], Model::output_type::size()) == 0;
#if defined(FW_NS)
    ok = ok && std::memcmp(whole_output.data(), golden_out[n], sizeof golden_out[n]) == 0;
#endif
    if (ok) ++exact;
    else board::Out() << "input " << n << ": the whole model's output differs" << '\n';
  }
  for (std::size_t k = 0; k < kinds; ++k) {
    if (totals[k].cmsis == 0 && totals[k].ctml == 0) continue;
    board::Out o;
    o << "kind " << kind_names[k] << " macs=" << totals[k].macs << " ctml=" << totals[k].ctml << " cmsis=" << totals[k].cmsis
      << " ratio=";
    print_ratio(o, totals[k].ctml, totals[k].cmsis);
    o << '\n';
  }
  std::uint64_t layers_ctml = 0, layers_cmsis = 0;
  for (const auto& t : totals) layers_ctml += t.ctml, layers_cmsis += t.cmsis;
  const bool ok = mismatches == 0 && exact == inputs;
  board::Out o;
  o << "fw_cmsis_compare_" << model_name << " (" << board::name << "): layers ctml=" << layers_ctml
    << " cmsis=" << layers_cmsis << " ratio=";
  print_ratio(o, layers_ctml, layers_cmsis);
  o << " whole ctml=" << whole << " ratio=";
  print_ratio(o, whole, layers_cmsis);
  o << " arena=" << Model::arena_bytes << " scratch ctml=" << ctml_scratch_max << " cmsis=" << cmsis_scratch_max
    << " outputs " << exact << '/' << inputs << " mismatches=" << mismatches
    << (ok ? " ok\n" : " FAILED: ctml and CMSIS-NN differ\n");
  return ok ? 0 : 1;
}
