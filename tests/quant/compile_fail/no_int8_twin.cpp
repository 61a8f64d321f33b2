// quantize() on a network with a layer that has no int8 twin must say so and list what is supported.
#include <array>
#include <ctml/ctml.hpp>
#include <ctml/quant.hpp>

using Net = ctml::Sequential<float, ctml::Shape<8>, ctml::Dense<4>, ctml::HardSwish, ctml::Dense<2>>;

int main() {
  const Net net{};
  const std::array<Net::input_type, 1> calibration{};
  const auto q = ctml::quant::quantize(net, calibration);
  return static_cast<int>(q.output.zero_point);
}
