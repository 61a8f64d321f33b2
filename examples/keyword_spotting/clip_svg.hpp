// SPDX-License-Identifier: Apache-2.0
#pragma once
// The keyword spotter's picture of a clip (kws_example --svg DIR): the waveform, the front end's
// feature image (time across, the 40 channels up, darker = more energy) and the model's
// probability of its most likely keyword at every hop (before smoothing) with the threshold,
// every detection marked across all three. Host code (writes a
// file); not part of the library.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace kws {

struct Mark {
  double seconds;
  std::string label;
};

inline bool write_clip_svg(const std::string& path, const std::string& title, const std::vector<std::int16_t>& pcm, double rate,
                           const std::vector<std::int8_t>& features, std::size_t channels, double frame_step_s, double frame_end0_s,
                           const std::vector<double>& score_t, const std::vector<double>& score, double threshold, const std::vector<Mark>& marks) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  const double seconds = static_cast<double>(pcm.size()) / rate;
  constexpr int L = 60, R = 20, W = 960, top = 40, wave_h = 120, feat_h = 160, score_h = 100, gap = 30;
  const int plot_w = W - L - R, H = top + wave_h + gap + feat_h + gap + score_h + 40;
  auto x_of = [&](double t) { return L + t / seconds * plot_w; };
  std::fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
  std::fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">%s</text>\n",
               W / 2, title.c_str());
  // Waveform: min and max of the samples under each pixel column.
  const int wave_mid = top + wave_h / 2;
  std::fprintf(f, "<text x=\"8\" y=\"%d\">audio</text>\n<path stroke=\"#4477aa\" fill=\"none\" d=\"", wave_mid);
  for (int px = 0; px < plot_w; ++px) {
    const std::size_t a = static_cast<std::size_t>(static_cast<double>(px) / plot_w * static_cast<double>(pcm.size()));
    const std::size_t b = std::max(a + 1, static_cast<std::size_t>(static_cast<double>(px + 1) / plot_w * static_cast<double>(pcm.size())));
    int lo = 0, hi = 0;
    for (std::size_t i = a; i < b && i < pcm.size(); ++i) lo = std::min<int>(lo, pcm[i]), hi = std::max<int>(hi, pcm[i]);
    std::fprintf(f, "M%d %.1f V%.1f ", L + px, wave_mid - hi / 32768.0 * wave_h / 2, wave_mid - lo / 32768.0 * wave_h / 2);
  }
  std::fprintf(f, "\"/>\n");
  // Features: one column per frame (frame k ends at frame_end0_s + k frame_step_s).
  const int feat_top = top + wave_h + gap;
  std::fprintf(f, "<text x=\"8\" y=\"%d\">features</text>\n", feat_top + feat_h / 2);
  const std::size_t frames = channels ? features.size() / channels : 0;
  const double cell_h = static_cast<double>(feat_h) / static_cast<double>(channels ? channels : 1);
  for (std::size_t k = 0; k < frames; ++k) {
    const double t1 = frame_end0_s + static_cast<double>(k) * frame_step_s;
    const double x0 = x_of(t1 - frame_step_s), w = x_of(t1) - x0 + 0.3;
    for (std::size_t c = 0; c < channels; ++c) {
      const int v = 255 - (features[k * channels + c] + 128);  // darker = louder
      std::fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"rgb(%d,%d,%d)\"/>\n", x0,
                   feat_top + feat_h - (static_cast<double>(c) + 1) * cell_h, w, cell_h + 0.3, v, v, v);
    }
  }
  // Score: the smoothed best-keyword score per hop, and the threshold.
  const int sc_top = feat_top + feat_h + gap;
  std::fprintf(f, "<text x=\"8\" y=\"%d\">score</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
               sc_top + score_h / 2, L, sc_top, plot_w, score_h);
  std::fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#cc3311\" stroke-dasharray=\"4 3\"/>\n", L, L + plot_w,
               sc_top + (1 - threshold) * score_h, sc_top + (1 - threshold) * score_h);
  std::fprintf(f, "<polyline fill=\"none\" stroke=\"#228833\" points=\"");
  for (std::size_t i = 0; i < score_t.size(); ++i) std::fprintf(f, "%.1f,%.1f ", x_of(score_t[i]), sc_top + (1 - score[i]) * score_h);
  std::fprintf(f, "\"/>\n");
  // Detections across all panels.
  for (const Mark& m : marks) {
    const double x = x_of(m.seconds);
    std::fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#cc3311\" stroke-width=\"2\"/>\n", x, x, top, sc_top + score_h);
    std::fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" fill=\"#cc3311\" font-weight=\"bold\">%s</text>\n", x - 3, top + 12,
                 m.label.c_str());
  }
  // Time axis.
  for (int s = 0; s <= static_cast<int>(seconds); ++s)
    std::fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d s</text>\n", x_of(s), sc_top + score_h + 16, s);
  std::fprintf(f, "</svg>\n");
  return std::fclose(f) == 0;
}

}  // namespace kws
