// Training through a layer without a backward pass must say so and list what is supported.
#include <cstddef>
#include <string_view>
#include <ctml/ctml.hpp>
#include <ctml/train.hpp>

// A user layer with a forward pass only.
template <class T, ctml::ShapeType S>
struct Halve {
  using input_type = ctml::Tensor<T, S>;
  using output_type = ctml::Tensor<T, S>;
  static constexpr std::string_view name = "Halve";
  constexpr void forward(const T* in, T* out, T*) const {
    for (std::size_t i = 0; i < S::size; ++i) out[i] = in[i] / 2;
  }
};

using Net = ctml::Chain<ctml::bind_t<ctml::Dense<4>, float, ctml::Shape<4>>, Halve<float, ctml::Shape<4>>>;

int main() {
  static Net net{};
  static ctml::train::Trainer<Net> tr;
  Net::input_type x{};
  Net::output_type dz{};
  tr.zero_grad();
  (void)tr.forward(net, x);
  tr.backward(net, x, dz.data());
  return 0;
}
