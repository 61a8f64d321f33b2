// A pipeline whose front-end window (48 frames x 40) is not the model's input (49 x 40) must not
// compile, and must say which sizes differ.
#include <cstdint>
#include <ctml/core/tensor.hpp>
#include <ctml/frontend/micro_speech.hpp>
#include <ctml/frontend/pipeline.hpp>

struct Model {
  using input_type = ctml::Tensor<std::int8_t, ctml::Shape<49 * 40>>;
  using output_type = ctml::Tensor<std::int8_t, ctml::Shape<4>>;
  output_type infer(const input_type&) const { return {}; }
};

int main() {
  static const Model model{};
  static ctml::frontend::Pipeline<ctml::frontend::MicroSpeech<>, 48, Model> p{model};
  return p.ready() ? 1 : 0;
}
