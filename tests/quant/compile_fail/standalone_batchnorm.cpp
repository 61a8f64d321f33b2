// A BatchNorm after an activation cannot be folded, and int8 has no BatchNorm: a clear error.
#include <array>
#include <ctml/ctml.hpp>
#include <ctml/quant.hpp>

using Net = ctml::Sequential<float, ctml::Shape<8>, ctml::Dense<4>, ctml::ReLU, ctml::BatchNorm, ctml::Dense<2>>;

int main() {
  const Net net{};
  const std::array<Net::input_type, 1> calibration{};
  const auto q = ctml::quant::quantize(net, calibration);
  return static_cast<int>(q.output.zero_point);
}
