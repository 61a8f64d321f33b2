// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pipeline<FE, Frames, Model>: a front end's stream feeding a model, checked at compile time: the
// last `Frames` frames (Frames x FE::features values of FE::feature_type) must be the model's
// input, or it does not compile, with a message that names both sizes.
//   using KwsPipeline = ctml::frontend::Pipeline<ctml::frontend::MicroSpeech<>, 49, micro_speech_model::Model>;
//   static KwsPipeline p{micro_speech_model::model};
//   if (p.push(block, n) > 0 && p.ready()) { const auto& scores = p.run(); ... }
// Memory: the stream (window, frame ring, front-end state and scratch) and one model input and
// output, inside the object; the model runs with its own arena (Model::infer), no heap.
#include <cstddef>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/frontend/feature_stream.hpp>

namespace ctml::frontend {

namespace pipeline_detail {
template <std::size_t Produced, std::size_t Expected>
constexpr bool sizes_match() {
  static_assert(Produced == Expected,
                "ctml::frontend::Pipeline: the front end's window (Frames x features, Produced) differs from the model's "
                "input size (Expected): change Frames or the front end's configuration");
  return Produced == Expected;
}
}  // namespace pipeline_detail

template <FrontEnd FE, std::size_t Frames, class Model>
class Pipeline {
 public:
  using stream_type = FeatureStream<FE, Frames>;
  using input_type = typename Model::input_type;
  using output_type = typename Model::output_type;
  static_assert(pipeline_detail::sizes_match<stream_type::window_elements, input_type::size()>());
  static_assert(std::is_same_v<typename input_type::value_type, typename FE::feature_type>,
                "ctml::frontend::Pipeline: the front end's feature type differs from the model's input element type "
                "(quantize float features first, e.g. with quantize_features, or use an int8 front end)");

  constexpr explicit Pipeline(const Model& model) : model_(&model) {}

  constexpr void reset() { stream_.reset(); }
  // Appends samples; returns the frames they completed.
  constexpr std::size_t push(const typename FE::sample_type* x, std::size_t n) { return stream_.push(x, n); }
  // Whether `Frames` frames exist since reset().
  constexpr bool ready() const { return stream_.full(); }
  // Runs the model on the last `Frames` frames.
  constexpr const output_type& run() {
    ::ctml::detail::side_effect_fence();
    stream_.copy_window(input_.data());
    output_ = model_->infer(input_);
    return output_;
  }
  constexpr const stream_type& stream() const { return stream_; }

 private:
  const Model* model_;
  stream_type stream_{};
  input_type input_{};
  output_type output_{};
};

}  // namespace ctml::frontend
