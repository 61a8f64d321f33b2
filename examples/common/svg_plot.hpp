// SPDX-License-Identifier: Apache-2.0
#pragma once
// Minimal SVG line plots and heat maps for the examples' pictures (a browser opens them): no
// dependencies, one file per figure. Host code (it writes files); not part of the library.
//   svg::Plot p("ROC, moderate faults", "false-alarm rate", "detection rate", 0, 1, 0, 1);
//   p.line(xs, ys, n, "outer race");  p.hline(threshold, "threshold");  p.write("roc.svg");
#include <cstddef>
#include <cstdio>
#include <string>

namespace svg {

inline const char* const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

class Plot {
 public:
  Plot(std::string title, std::string xlabel, std::string ylabel, double x0, double x1, double y0, double y1)
      : title_(std::move(title)), xlabel_(std::move(xlabel)), ylabel_(std::move(ylabel)), x0_(x0), x1_(x1), y0_(y0), y1_(y1) {}

  void line(const double* x, const double* y, std::size_t n, const std::string& label, bool dashed = false) {
    std::string d;
    for (std::size_t i = 0; i < n; ++i) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s%.1f,%.1f", i ? " L" : "M", px(x[i]), py(y[i]));
      d += buf;
    }
    const char* c = palette[series_ % 8];
    body_ += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + c + "\" stroke-width=\"1.5\"" +
             (dashed ? " stroke-dasharray=\"5,4\"" : "") + "/>\n";
    legend(label, c);
  }
  void hline(double y, const std::string& label) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\" stroke-dasharray=\"6,4\"/>\n", px(x0_),
                  py(y), px(x1_), py(y));
    body_ += buf;
    legend(label, "#444");
  }
  void vline(double x, const std::string& label) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"2,3\"/>\n", px(x),
                  py(y0_), px(x), py(y1_));
    body_ += buf;
    legend(label, "#888");
  }

  bool write(const std::string& path) const {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    std::fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
    std::fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    std::fprintf(f, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">%s</text>\n", W / 2, title_.c_str());
    std::fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n", L, T, W - L - R, H - T - B);
    for (int k = 0; k <= 4; ++k) {  // ticks
      const double xv = x0_ + (x1_ - x0_) * k / 4.0, yv = y0_ + (y1_ - y0_) * k / 4.0;
      std::fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", px(xv), H - B + 16, round3(xv));
      std::fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", L - 6, py(yv) + 4, round3(yv));
    }
    std::fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", L + (W - L - R) / 2, H - 8, xlabel_.c_str());
    std::fprintf(f, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>\n", T + (H - T - B) / 2,
                 T + (H - T - B) / 2, ylabel_.c_str());
    std::fputs(body_.c_str(), f);
    std::fputs(legend_.c_str(), f);
    std::fprintf(f, "</svg>\n");
    return std::fclose(f) == 0;
  }

 private:
  static constexpr int W = 720, H = 460, L = 70, R = 170, T = 34, B = 48;
  static double round3(double v) { return static_cast<double>(static_cast<long long>(v * 1000.0 + (v < 0 ? -0.5 : 0.5))) / 1000.0; }
  double px(double x) const { return L + (x - x0_) / (x1_ - x0_) * (W - L - R); }
  double py(double y) const {
    const double c = y < y0_ ? y0_ : (y > y1_ ? y1_ : y);
    return H - B - (c - y0_) / (y1_ - y0_) * (H - T - B);
  }
  void legend(const std::string& label, const char* color) {
    if (!label.empty()) {
      char buf[300];
      const int y = T + 14 + 18 * static_cast<int>(entries_++);
      std::snprintf(buf, sizeof buf, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                    W - R + 10, y - 4, W - R + 34, y - 4, color, W - R + 40, y, label.c_str());
      legend_ += buf;
    }
    ++series_;
  }
  std::string title_, xlabel_, ylabel_;
  double x0_, x1_, y0_, y1_;
  std::string body_, legend_;
  std::size_t series_ = 0, entries_ = 0;
};

// A labelled matrix (confusion matrices): cell shade by value / row sum, the count printed.
inline bool write_matrix(const std::string& path, const std::string& title, const char* const* labels, std::size_t n,
                         const std::size_t* counts /* n x n, row = truth */) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  const int cell = 56, left = 130, top = 60;
  const int w = left + cell * static_cast<int>(n) + 20, h = top + cell * static_cast<int>(n) + 40;
  std::fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", w, h);
  std::fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">%s</text>\n",
               w / 2, title.c_str());
  std::fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">predicted</text>\n", left + cell * static_cast<int>(n) / 2, top - 24);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t row = 0;
    for (std::size_t j = 0; j < n; ++j) row += counts[i * n + j];
    std::fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 6, top + cell * static_cast<int>(i) + cell / 2 + 4, labels[i]);
    std::fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>\n", left + cell * static_cast<int>(i) + cell / 2,
                 top - 6, labels[i]);
    for (std::size_t j = 0; j < n; ++j) {
      const double v = row ? static_cast<double>(counts[i * n + j]) / static_cast<double>(row) : 0.0;
      const int shade = 255 - static_cast<int>(200 * v);
      std::fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,255)\" stroke=\"#ccc\"/>\n",
                   left + cell * static_cast<int>(j), top + cell * static_cast<int>(i), cell, cell, shade, shade);
      std::fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%zu</text>\n", left + cell * static_cast<int>(j) + cell / 2,
                   top + cell * static_cast<int>(i) + cell / 2 + 4, v > 0.6 ? "white" : "black", counts[i * n + j]);
    }
  }
  std::fprintf(f, "</svg>\n");
  return std::fclose(f) == 0;
}

}  // namespace svg
