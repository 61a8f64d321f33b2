// Passing a tensor of the wrong shape to a model must fail with a message naming the fix.
#include <cstddef>
#include <ctml/layers/dense.hpp>
#include <ctml/model/sequential.hpp>
using Net = ctml::Sequential<float, ctml::Shape<8>, ctml::Dense<4>>;
int main() {
  Net net{};
  ctml::Tensor<float, ctml::Shape<9>> in{};
  Net::output_type out{};
  std::byte arena[16];
  net(in, out, arena);
}
