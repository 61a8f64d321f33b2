// A stateful network called without its state must not compile, and say what to pass.
#include <cstddef>
#include <ctml/ctml.hpp>

using Net = ctml::Sequential<float, ctml::Shape<3>, ctml::SlidingWindow<4>, ctml::Flatten, ctml::Dense<2>>;

int main() {
  const Net net{};
  Net::input_type in{};
  Net::output_type out{};
  alignas(16) static std::byte arena[Net::arena_bytes + 1];
  net(in, out, arena);
}
