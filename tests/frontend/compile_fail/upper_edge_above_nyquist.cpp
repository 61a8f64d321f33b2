// A filter bank reaching above the Nyquist frequency (7,500 Hz at 8 kHz sampling) must not compile.
#include <ctml/frontend/micro_speech.hpp>

int main() {
  using Fe = ctml::frontend::MicroSpeech<ctml::frontend::MicroSpeechConfig{.sample_rate = 8000}>;
  return static_cast<int>(Fe::features);
}
