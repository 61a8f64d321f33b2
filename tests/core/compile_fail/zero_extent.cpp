// A zero extent would make an empty tensor; shapes reject it.
#include <ctml/core/tensor.hpp>
int main() { return static_cast<int>(ctml::Shape<4, 0>::size); }
