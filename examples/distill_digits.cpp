// Knowledge distillation on the handwritten digits (8x8 images, 10 classes, 1797 samples):
// train a teacher, distill a 10x smaller student from its softened outputs, compare with the same
// student trained on labels alone, then quantize the distilled student to int8.
// Prints one line per model: `name accuracy=0.XXXX params=N` (test split); progress on stderr.
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <ctml/quant.hpp>

#include "digits_common.hpp"

using namespace ctml;
using namespace digits;

namespace {

using Teacher = Sequential<float, Shape<64>, Dense<128, Fuse<Activation::relu>>, Dense<128, Fuse<Activation::relu>>, Dense<10>>;
using Student = Sequential<float, Shape<64>, Dense<32, Fuse<Activation::relu>>, Dense<10>>;
static_assert(Student::param_count * 4 <= Teacher::param_count, "the student must be at most a quarter of the teacher");

// The int8 twin of the student: quant::Calibrator streams the training split through the float
// network (min/max of every tensor), then builds the int8 network whose type it computed from the
// float one (QDense layers, TFLite's per-channel scheme). q.model runs on a device; q(x) wraps it
// in QUANTIZE / DEQUANTIZE for the float test set here.
using Int8Student = quant::quantized_model_t<Student>;

Int8Student quantize_student(const Student& s) {
  static quant::Calibrator<Student> cal{s};  // static: its per-tensor tables do not belong on the stack
  for (std::size_t k = 0; k < n_train; ++k) cal.observe(input(order[k]));
  return cal.quantize();
}

// argmax_of calls infer(); the quantized model's float entry point is operator().
struct Int8Runner {
  const Int8Student& q;
  auto infer(const Tensor<float, Shape<64>>& x) const { return q(x); }
};

}  // namespace

int main() {
  make_split();
  std::fprintf(stderr, "digits: %zu train / %zu validation / %zu test samples\n", n_train, n_val, n_test);

  static Teacher teacher{};
  static Student labels_only{}, distilled{};
  Rng init_rng{7};
  init(teacher, init_rng);
  Rng student_rng{99};
  init(labels_only, student_rng);
  distilled = labels_only;  // same starting point: the only difference is the loss

  fit(teacher, "teacher", 30, 2e-3f);
  fit(labels_only, "student_labels", 40, 3e-3f);
  fit(distilled, "student_distilled", 40, 3e-3f, &teacher, 0.7f, 4.0f);
  static const Int8Student int8 = quantize_student(distilled);

  const double a_teacher = accuracy(teacher, test_from, n_test), a_labels = accuracy(labels_only, test_from, n_test);
  const double a_distilled = accuracy(distilled, test_from, n_test), a_int8 = accuracy(Int8Runner{int8}, test_from, n_test);
  std::printf("teacher accuracy=%.4f params=%zu\n", a_teacher, Teacher::param_count);
  std::printf("student_labels accuracy=%.4f params=%zu\n", a_labels, Student::param_count);
  std::printf("student_distilled accuracy=%.4f params=%zu\n", a_distilled, Student::param_count);
  std::printf("student_int8 accuracy=%.4f params=%zu\n", a_int8, Student::param_count);
  // docs/training.md states 0.9779 / 0.9705 / 0.9852 / 0.9815 (one build; float rounding differs
  // slightly between compilers and flags): fail well below them, or if distillation stops helping.
  const bool ok = a_teacher >= 0.97 && a_labels >= 0.96 && a_distilled >= 0.975 && a_int8 >= 0.97 && a_distilled > a_labels;
  if (!ok) std::printf("FAILED: accuracy below the figures in docs/training.md\n");
  return ok ? 0 : 1;
}
