// Sparse formats have no blob representation: asking for a weight blob of a model with a sparse
// layer fails to compile with a message saying what to do instead.
#include <cstddef>
#include <ctml/model/network.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/sparse/layers.hpp>
using Sparse = ctml::sparse::SparseDenseLayer<ctml::sparse::Csr<float, 3, 4, 5>, ctml::Shape<4>>;
using Net = ctml::Chain<Sparse>;
int main() { return static_cast<int>(ctml::weight_blob_bytes<Net>); }
