// Knowledge distillation on the handwritten digits (8x8 images, 10 classes, 1797 samples):
// train a teacher, distill a 10x smaller student from its softened outputs, compare with the same
// student trained on labels alone, then quantize the distilled student to int8.
// Prints one line per model: `name accuracy=0.XXXX params=N` (test split); progress on stderr.
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <ctml/ctml.hpp>
#include <ctml/quant/ptq.hpp>
#include <ctml/train.hpp>

#include "data/digits/digits.inc"

using namespace ctml;

namespace {

using Teacher = Sequential<float, Shape<64>, Dense<128, Fuse<Activation::relu>>, Dense<128, Fuse<Activation::relu>>, Dense<10>>;
using Student = Sequential<float, Shape<64>, Dense<32, Fuse<Activation::relu>>, Dense<10>>;
static_assert(Student::param_count * 4 <= Teacher::param_count, "the student must be at most a quarter of the teacher");

constexpr std::size_t N = digits_data::samples;
constexpr std::size_t n_train = N * 70 / 100, n_val = N * 15 / 100, n_test = N - n_train - n_val;

std::size_t order[N];  // deterministic shuffle of the sample indices

// A 32-bit LCG: the same split and initialisation on every machine.
struct Rng {
  std::uint32_t s;
  std::uint32_t next() { return s = s * 1664525u + 1013904223u; }
  float uniform() { return static_cast<float>(next() >> 8) / static_cast<float>(1 << 24); }
};

Tensor<float, Shape<64>> input(std::size_t sample) {
  Tensor<float, Shape<64>> x{};
  for (std::size_t i = 0; i < 64; ++i) x[i] = static_cast<float>(digits_data::pixels[sample * 64 + i]) / 16.0f;
  return x;
}

template <class Net>
void init(Net& net, Rng& rng) {
  // He-style uniform initialisation per weight tensor, zero biases.
  std::apply([&](auto&... t) {
    ((void)[&] {
      using Tn = std::remove_cvref_t<decltype(t)>;
      if constexpr (Tn::rank == 2) {
        const float a = 2.0f * 1.7320508f / static_cast<float>(__builtin_sqrt(static_cast<double>(Tn::shape_type::extents[1])));
        for (auto& v : t) v = a * (rng.uniform() - 0.5f);
      } else {
        t.fill(0.0f);
      }
    }(), ...);
  }, net.parameters());
}

template <class Net>
std::size_t argmax_of(const Net& net, const Tensor<float, Shape<64>>& x) {
  const auto z = net.infer(x);
  std::size_t best = 0;
  for (std::size_t i = 1; i < 10; ++i)
    if (z[i] > z[best]) best = i;
  return best;
}

template <class Net>
double accuracy(const Net& net, std::size_t from, std::size_t count) {
  std::size_t ok = 0;
  for (std::size_t k = from; k < from + count; ++k)
    ok += argmax_of(net, input(order[k])) == digits_data::labels[order[k]];
  return static_cast<double>(ok) / static_cast<double>(count);
}

// Mini-batch training; with a teacher, the loss is the distillation loss on its logits.
template <class Net, class Teach = void>
void fit(Net& net, const char* name, int epochs, float lr, const Teach* teacher = nullptr, float alpha = 0.0f,
           float temperature = 1.0f) {
  static train::Trainer<Net> tr;
  static train::Adam<Net> opt;
  opt = train::Adam<Net>{lr};
  constexpr std::size_t batch = 32;
  std::size_t idx[n_train];
  for (std::size_t i = 0; i < n_train; ++i) idx[i] = order[i];
  Rng rng{1234};
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (std::size_t i = n_train - 1; i > 0; --i) {  // Fisher-Yates, deterministic
      const std::size_t j = rng.next() % (i + 1);
      const std::size_t t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    double loss = 0;
    for (std::size_t b = 0; b < n_train; b += batch) {
      tr.zero_grad();
      const std::size_t end = b + batch < n_train ? b + batch : n_train;
      for (std::size_t k = b; k < end; ++k) {
        const auto x = input(idx[k]);
        const auto label = digits_data::labels[idx[k]];
        const auto& z = tr.forward(net, x);
        float dz[10];
        if constexpr (std::is_void_v<Teach>) {
          loss += train::cross_entropy<10>(z.data(), label, dz);
        } else {
          const auto zt = teacher->infer(x);
          loss += train::distillation<10>(z.data(), zt.data(), label, alpha, temperature, dz);
        }
        tr.backward(net, x, dz);
      }
      opt.step(net, tr.grads, 1.0f / static_cast<float>(end - b));
    }
    if ((epoch + 1) % 10 == 0)
      std::fprintf(stderr, "%-18s epoch %3d  loss %.4f  val accuracy %.4f\n", name, epoch + 1,
                   loss / static_cast<double>(n_train), accuracy(net, n_train, n_val));
  }
}

// The int8 twin of the student, calibrated on the training split.
struct Int8Student {
  quant::QParams in_q, hid_q, out_q;
  quant::QDenseLayer<Shape<64>, 32> fc1;
  quant::QDenseLayer<Shape<32>, 10> fc2;

  void build(const Student& s) {
    quant::Range hid, out;
    for (std::size_t k = 0; k < n_train; ++k) {
      const auto x = input(order[k]);
      Tensor<float, Shape<32>> h{};
      Tensor<float, Shape<10>> z{};
      s.layer<0>().forward(x.data(), h.data(), nullptr);
      s.layer<1>().forward(h.data(), z.data(), nullptr);
      hid.observe(h.data(), h.size());
      out.observe(z.data(), z.size());
    }
    in_q = quant::choose_qparams(0.0, 1.0);
    hid_q = hid.qparams();
    out_q = out.qparams();
    fc1 = quant::make_qdense(s.layer<0>(), in_q, hid_q);
    fc2 = quant::make_qdense(s.layer<1>(), hid_q, out_q);
  }
  std::size_t predict(const Tensor<float, Shape<64>>& x) const {
    Tensor<std::int8_t, Shape<64>> qx{};
    for (std::size_t i = 0; i < 64; ++i) qx[i] = quant::quantize_value(x[i], in_q);
    Tensor<std::int8_t, Shape<32>> h{};
    Tensor<std::int8_t, Shape<10>> z{};
    fc1.forward(qx.data(), h.data(), nullptr);
    fc2.forward(h.data(), z.data(), nullptr);
    std::size_t best = 0;
    for (std::size_t i = 1; i < 10; ++i)
      if (z[i] > z[best]) best = i;
    return best;
  }
  double accuracy(std::size_t from, std::size_t count) const {
    std::size_t ok = 0;
    for (std::size_t k = from; k < from + count; ++k) ok += predict(input(order[k])) == digits_data::labels[order[k]];
    return static_cast<double>(ok) / static_cast<double>(count);
  }
  static constexpr std::size_t params = Student::param_count;
};

}  // namespace

int main() {
  Rng split{2024};
  for (std::size_t i = 0; i < N; ++i) order[i] = i;
  for (std::size_t i = N - 1; i > 0; --i) {
    const std::size_t j = split.next() % (i + 1);
    const std::size_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  std::fprintf(stderr, "digits: %zu train / %zu validation / %zu test samples\n", n_train, n_val, n_test);
  const std::size_t test_from = n_train + n_val;

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
  static Int8Student int8;
  int8.build(distilled);

  std::printf("teacher accuracy=%.4f params=%zu\n", accuracy(teacher, test_from, n_test), Teacher::param_count);
  std::printf("student_labels accuracy=%.4f params=%zu\n", accuracy(labels_only, test_from, n_test), Student::param_count);
  std::printf("student_distilled accuracy=%.4f params=%zu\n", accuracy(distilled, test_from, n_test), Student::param_count);
  std::printf("student_int8 accuracy=%.4f params=%zu\n", int8.accuracy(test_from, n_test), Int8Student::params);
  return 0;
}
