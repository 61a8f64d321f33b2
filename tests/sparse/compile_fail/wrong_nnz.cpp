// Declaring a CSR layer with the wrong number of non-zeros does not compile when the weights are
// constant: the count is checked in the constant evaluation.
#include <ctml/sparse/layers.hpp>
using Fc = ctml::DenseLayer<float, ctml::Shape<4>, 2>;
constexpr Fc fc{{{1, 0, 0, 2, 0, 3, 0, 0}}, {{0, 0}}};
constexpr auto sp = ctml::sparse::to_csr_layer<4>(fc);  // there are 3
int main() { return static_cast<int>(sp.bias[0]); }
