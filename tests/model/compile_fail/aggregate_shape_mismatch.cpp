// A hand-written model whose second layer expects 32 inputs but receives 16: must not compile.
#include <ctml/layers/dense.hpp>
#include <ctml/model/network.hpp>
struct Bad {
  ctml::DenseLayer<float, ctml::Shape<8>, 16> fc1;
  ctml::DenseLayer<float, ctml::Shape<32>, 4> fc2;
};
int main() { return static_cast<int>(ctml::Network<Bad>::arena_bytes); }
