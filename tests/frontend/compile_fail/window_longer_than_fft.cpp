// An MFCC front end whose window is longer than its FFT must not compile.
#include <ctml/frontend/mfcc.hpp>

int main() {
  using Fe = ctml::frontend::Mfcc<ctml::frontend::MfccConfig{.window = 600, .fft_size = 512}>;
  return static_cast<int>(Fe::features);
}
