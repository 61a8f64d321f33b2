// Weights that are not 1:4 sparse cannot be packed as 1:4.
#include <ctml/sparse/layers.hpp>
using Fc = ctml::DenseLayer<float, ctml::Shape<4>, 1>;
constexpr Fc fc{{{1, 2, 0, 0}}, {{0}}};
constexpr auto sp = ctml::sparse::to_n_m_layer<1, 4>(fc);
int main() { return static_cast<int>(sp.bias[0]); }
