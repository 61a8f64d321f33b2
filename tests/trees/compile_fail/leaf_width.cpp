// A leaf row of 3 values in a model of 2 outputs must not compile, and must say why.
#include <ctml/trees/forest.hpp>

int main() {
  static ctml::trees::Forest<ctml::trees::ForestShape<4, 2, 1, 3, 2, 3, 2>> m{};
  return static_cast<int>(m.tree_count);
}
