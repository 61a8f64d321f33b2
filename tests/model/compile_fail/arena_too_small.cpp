// A static arena array smaller than Model::arena_bytes is rejected at compile time.
#include <cstddef>
#include <ctml/layers/dense.hpp>
#include <ctml/model/sequential.hpp>
using Net = ctml::Sequential<float, ctml::Shape<8>, ctml::Dense<64>, ctml::Dense<64>, ctml::Dense<4>>;
int main() {
  Net net{};
  Net::input_type in{};
  Net::output_type out{};
  alignas(16) std::byte arena[64];
  net(in, out, arena);
}
