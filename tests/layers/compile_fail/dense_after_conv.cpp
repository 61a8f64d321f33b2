// Wrong layer order: Dense straight after Conv2D, without Flatten.
#include <ctml/ctml.hpp>
using Net = ctml::Sequential<float, ctml::Shape<8, 8, 1>, ctml::Conv2D<4, ctml::Kernel<3>>, ctml::Dense<10>>;
int main() { return static_cast<int>(Net::arena_bytes); }
