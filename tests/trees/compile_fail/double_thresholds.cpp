// A forest with double thresholds (not a device type) must not compile, and must say why.
#include <ctml/trees/forest.hpp>

int main() {
  static ctml::trees::Forest<ctml::trees::ForestShape<4, 2, 1, 3, 2, 2, 2>, double> m{};
  return static_cast<int>(m.tree_count);
}
