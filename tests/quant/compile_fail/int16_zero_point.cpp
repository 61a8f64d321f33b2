// A 16x8 layer built with a non-zero int16 zero point must not compile as a constant: TFLite's
// int16 activations are symmetric, and the builder names the rule.
#include <ctml/quant/dense_s16.hpp>

constexpr auto layer = ctml::quant::make_qdense16x8<ctml::Shape<2>, 1>({{1, 2}}, {{0}}, ctml::quant::QParams{0.01f, 3}, {0.02},
                                                                       ctml::quant::QParams{0.05f, 0});

int main() { return layer.act_max > 0 ? 0 : 1; }
