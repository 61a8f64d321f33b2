// Options are types; an unknown one (a Pool window on a conv) is rejected by name.
#include <ctml/ctml.hpp>
using Net = ctml::Sequential<float, ctml::Shape<8, 8, 1>, ctml::Conv2D<4, ctml::Kernel<3>, ctml::Pool<2>>>;
int main() { return static_cast<int>(Net::arena_bytes); }
