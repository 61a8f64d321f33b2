// An int8 layer whose declared NNZ disagrees with its constant weights does not compile either.
#include <ctml/sparse/quantized.hpp>
using Q = ctml::quant::QDenseLayer<ctml::Shape<4>, 2>;
constexpr Q make() {
  Q q{};
  q.weights[0] = 3;
  q.weights[5] = -7;
  return q;
}
constexpr Q q = make();
constexpr auto sp = ctml::sparse::to_sliced_layer<3>(q);  // there are 2
int main() { return sp.act_min; }
