// A concrete layer (or any non-spec type) in a Sequential is reported as such.
#include <ctml/layers/dense.hpp>
#include <ctml/model/sequential.hpp>
using Net = ctml::Sequential<float, ctml::Shape<8>, ctml::DenseLayer<float, ctml::Shape<8>, 4>>;
int main() { return static_cast<int>(Net::arena_bytes); }
