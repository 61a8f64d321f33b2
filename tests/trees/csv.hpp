// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads tests/data/sklearn/*.csv (first line "rows,features,..."; then features, label/target).
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace test_trees {

struct Table {
  std::size_t rows = 0, features = 0;
  std::vector<float> x;
  std::vector<float> y;
  std::vector<std::int32_t> labels;
  bool ok = false;
};

inline Table read_csv(const std::string& path) {
  Table t;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return t;
  {
    std::stringstream h(line);
    std::string a, b;
    std::getline(h, a, ',');
    std::getline(h, b, ',');
    t.rows = std::stoul(a);
    t.features = std::stoul(b);
  }
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream s(line);
    std::string v;
    for (std::size_t f = 0; f < t.features; ++f) {
      std::getline(s, v, ',');
      t.x.push_back(std::stof(v));
    }
    std::getline(s, v, ',');
    t.y.push_back(std::stof(v));
    t.labels.push_back(static_cast<std::int32_t>(std::stof(v)));
  }
  t.ok = t.y.size() == t.rows && t.x.size() == t.rows * t.features;
  return t;
}

// A reference file of tests/trees/reference: one row of numbers per line (empty when unreadable).
inline std::vector<std::vector<double>> read_rows(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream s(line);
    std::vector<double> r;
    double v;
    while (s >> v) r.push_back(v);
    rows.push_back(r);
  }
  return rows;
}

}  // namespace test_trees
