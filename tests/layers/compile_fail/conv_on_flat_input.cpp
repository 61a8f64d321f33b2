// Conv2D needs an HWC input; a flat one is a shape mismatch the compiler explains.
#include <ctml/ctml.hpp>
using Net = ctml::Sequential<float, ctml::Shape<64>, ctml::Conv2D<8, ctml::Kernel<3>>>;
int main() { return static_cast<int>(Net::arena_bytes); }
