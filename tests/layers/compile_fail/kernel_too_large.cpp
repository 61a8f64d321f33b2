// A valid-padded kernel larger than its input would give an empty output.
#include <ctml/ctml.hpp>
using Net = ctml::Sequential<float, ctml::Shape<4, 4, 1>, ctml::Conv2D<4, ctml::Kernel<5>, ctml::Valid>>;
int main() { return static_cast<int>(Net::arena_bytes); }
