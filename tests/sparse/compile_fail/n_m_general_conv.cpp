// N:M packing needs each weight's input at its own index; a 3x3 convolution is rejected with a
// readable message.
#include <ctml/sparse/layers.hpp>
using C = ctml::bind_t<ctml::Conv2D<4, ctml::Kernel<3>, ctml::Same>, float, ctml::Shape<6, 6, 4>>;
constexpr C c{};
constexpr auto sp = ctml::sparse::to_n_m_layer<2, 4>(c);
int main() { return static_cast<int>(sp.bias[0]); }
