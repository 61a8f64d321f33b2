// An identity shortcut around a body that changes the shape cannot be added.
#include <ctml/layers/dense.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/model/sequential.hpp>
using Net = ctml::Sequential<float, ctml::Shape<8>, ctml::Residual<ctml::Block<ctml::Dense<4>>>>;
int main() { return static_cast<int>(Net::arena_bytes); }
