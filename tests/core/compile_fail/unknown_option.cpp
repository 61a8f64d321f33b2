// An option type the layer does not know (here a Kernel, which is positional) is rejected.
#include <ctml/core/options.hpp>
int main() { return static_cast<int>(ctml::ConvOptions<ctml::Same, ctml::Kernel<3>>::padding); }
