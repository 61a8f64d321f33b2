// Inlined expands a model at compile time: a model whose arrays are not a valid forest (here a
// default one: its root is node 0 of a tree that points at itself) must not compile.
#include <ctml/trees/inlined.hpp>

constexpr ctml::trees::Forest<ctml::trees::ForestShape<4, 1, 1, 1, 1, 1, 2>> model{};

int main() {
  float x[4] = {};
  float y = 0;
  ctml::trees::Inlined<model>::predict(x, &y);
  return y > 0;
}
