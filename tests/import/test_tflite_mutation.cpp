// SPDX-License-Identifier: Apache-2.0
// Deterministic mutation test of the TFLite reader: thousands of byte flips, word overwrites,
// truncations, insertions, deletions and chunk copies applied to the hand-made models (in
// several writer layouts) and to the shared MLPerf Tiny models. The reader must never crash
// (this binary runs under ASan+UBSan in the `asan` preset) and must either return an error or a
// model that satisfies check_model_invariants() and re-serialises stably.
//
// CTML_MUTATIONS=<n> (environment) overrides the number of mutants per base file. The asan
// preset runs 300 per file (the 1,000-1,500 of the other builds took four minutes there); the
// clang preset's libFuzzer smoke runs and tools/ctml-import/README.md's long fuzz runs go deeper.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "ctml-import/test_models.hpp"
#include "ctml-import/tflite_dump.hpp"
#include "ctml-import/codegen.hpp"
#include "ctml-import/tflite_reader.hpp"
#include "ctml-import/tflite_writer.hpp"
#include "tflite_test_support.hpp"
#include "ctml-import/codegen.hpp"

using namespace ctml::tflite;

namespace {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t s_;
};

struct Base {
  std::string name;
  std::vector<std::uint8_t> bytes;
  // Byte ranges holding tensor data: flips there rarely matter, so most mutations avoid them.
  std::vector<std::pair<std::size_t, std::size_t>> data_ranges;
};

Base make_base(std::string name, std::vector<std::uint8_t> bytes) {
  Base b{std::move(name), std::move(bytes), {}};
  ReadOptions lenient;
  lenient.allow_unsupported_ops = true;
  const Result<Model> r = read_model(b.bytes, lenient);
  REQUIRE_MESSAGE(r.ok(), b.name, ": ", r.ok() ? std::string() : r.error().to_string());
  for (const Buffer& buf : r.value().buffers) {
    if (buf.data.size() > 16) {
      b.data_ranges.emplace_back(static_cast<std::size_t>(buf.file_offset),
                                 static_cast<std::size_t>(buf.file_offset) + buf.data.size());
    }
  }
  return b;
}

// A position, with probability 7/8 outside the tensor data.
std::size_t pick_position(Rng& rng, const Base& base, std::size_t size) {
  for (int attempt = 0; attempt < 16 && rng.below(8) != 0; ++attempt) {
    const std::size_t p = rng.below(size);
    bool in_data = false;
    for (const auto& [lo, hi] : base.data_ranges) in_data = in_data || (p >= lo && p < hi);
    if (!in_data) return p;
  }
  return rng.below(size);
}

constexpr std::uint32_t kInteresting[] = {
    0u,          1u,          2u,          3u,          4u,         7u,      8u,
    0x7fu,       0x80u,       0xffu,       0x100u,      0xfffcu,    0xffffu, 0x10000u,
    0x7ffffffcu, 0x7fffffffu, 0x80000000u, 0xfffffffcu, 0xffffffffu};

std::vector<std::uint8_t> mutate(Rng& rng, const Base& base) {
  std::vector<std::uint8_t> b = base.bytes;
  const int rounds = 1 + static_cast<int>(rng.below(3));
  for (int round = 0; round < rounds && !b.empty(); ++round) {
    const std::size_t pos = pick_position(rng, base, b.size());
    switch (rng.below(9)) {
      case 0:  // bit flip
        b[pos] = static_cast<std::uint8_t>(b[pos] ^ (1u << rng.below(8)));
        break;
      case 1:  // random byte
        b[pos] = static_cast<std::uint8_t>(rng.next());
        break;
      case 2:
      case 3: {  // aligned 32-bit word := interesting value or small delta
        const std::size_t at = pos & ~std::size_t{3};
        if (at + 4 > b.size()) break;
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k)
          v |= std::uint32_t{b[at + static_cast<std::size_t>(k)]} << (8 * k);
        if (rng.below(2) == 0) {
          v = kInteresting[rng.below(std::size(kInteresting))];
        } else {
          v += static_cast<std::uint32_t>(static_cast<int>(rng.below(17)) - 8);
        }
        for (int k = 0; k < 4; ++k)
          b[at + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(v >> (8 * k));
        break;
      }
      case 4:  // 16-bit (vtable entry) := random
        if (pos + 2 <= b.size()) {
          const auto v = static_cast<std::uint16_t>(rng.below(3) == 0 ? rng.next() : rng.below(64));
          b[pos] = static_cast<std::uint8_t>(v & 0xff);
          b[pos + 1] = static_cast<std::uint8_t>(v >> 8);
        }
        break;
      case 5:  // truncation
        b.resize(pos);
        break;
      case 6: {  // insertion of 1..16 random bytes
        // A fixed buffer filled with a constant trip count: GCC 12 -O3 -mavx2 warns (falsely)
        // about the vectorised fill of a variable 1..16-byte range.
        std::uint8_t ins[16];
        const std::size_t n = 1 + rng.below(16);
        for (std::size_t i = 0; i < 16; ++i) ins[i] = i < n ? static_cast<std::uint8_t>(rng.next()) : 0;
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos), ins, ins + n);
        break;
      }
      case 7: {  // deletion of 1..16 bytes
        const std::size_t n = std::min(b.size() - pos, 1 + rng.below(16));
        b.erase(b.begin() + static_cast<std::ptrdiff_t>(pos),
                b.begin() + static_cast<std::ptrdiff_t>(pos + n));
        break;
      }
      default: {  // copy a chunk from elsewhere in the file over this position
        const std::size_t from = rng.below(b.size());
        const std::size_t n = std::min({b.size() - pos, b.size() - from, 1 + rng.below(32)});
        std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(from), n,
                    b.begin() + static_cast<std::ptrdiff_t>(pos));
        break;
      }
    }
  }
  return b;
}

struct Stats {
  int accepted = 0;
  int rejected = 0;
};

// Checks one mutant; returns false (with `failure` set) on a property violation. The strict
// read (unsupported ops rejected) must accept a subset of what the lenient read accepts, with
// the same result; the lenient result is checked in depth.
bool check_one(const std::vector<std::uint8_t>& bytes, Stats& strict, Stats& lenient,
               std::string& failure) {
  auto check_error = [&](const Error& e) {
    if (e.message.empty()) failure = "empty error message";
    if (e.offset > bytes.size()) failure = "error offset beyond the file: " + e.to_string();
    return failure.empty();
  };
  ReadOptions o;
  o.allow_unsupported_ops = true;
  const Result<Model> r = read_model(bytes, o);
  const Result<Model> rs = read_model(bytes);
  if (rs.ok()) {
    ++strict.accepted;
  } else {
    ++strict.rejected;
    if (!check_error(rs.error())) return false;
  }
  if (!r) {
    ++lenient.rejected;
    if (rs.ok()) {
      failure = "strict read accepted what the lenient read rejected: " + r.error().to_string();
      return false;
    }
    return check_error(r.error());
  }
  ++lenient.accepted;
  const Model& m = r.value();
  if (rs.ok() && !(rs.value() == m) && write_model(rs.value()) != write_model(m)) {  // NaN-safe
    failure = "strict and lenient reads differ";
    return false;
  }
  if (std::string v = check_model_invariants(m); !v.empty()) {
    failure = "accepted model violates an invariant: " + v;
    return false;
  }
  (void)format_model(m);
  // The header generator on whatever parses: a header or an error with a reason, never a crash
  // (this test runs under ASan+UBSan in CI). Hand-made models only: printing the shared models'
  // weights for every mutant would take minutes.
  if (rs.ok() && bytes.size() <= 8192) {
    const ctml::import::GenerateResult gen = ctml::import::generate_header(rs.value(), "mutant", "mutant.tflite");
    if (!gen.ok && gen.error.empty()) {
      failure = "generate_header failed without a reason";
      return false;
    }
  }
  const std::vector<std::uint8_t> w1 = write_model(m);
  const Result<Model> r2 = read_model(w1, o);
  if (!r2) {
    failure = "re-serialised model does not parse: " + r2.error().to_string();
    return false;
  }
  if (write_model(r2.value()) != w1) {
    failure = "re-serialisation is not stable";
    return false;
  }
  return true;
}

int mutations_per_base(int default_count) {
  if (const char* env = std::getenv("CTML_MUTATIONS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return default_count;
}

void run(const Base& base, int count, std::uint64_t seed) {
  Rng rng(seed);
  Stats strict, lenient;
  for (int i = 0; i < count; ++i) {
    const std::vector<std::uint8_t> mutant = mutate(rng, base);
    std::string failure;
    if (!check_one(mutant, strict, lenient, failure)) {
      FAIL_CHECK(base.name, " mutant #", i, " (seed ", seed, "): ", failure);
      return;
    }
  }
  MESSAGE(base.name, ": ", count, " mutants, strict read accepted ", strict.accepted,
          " / rejected ", strict.rejected, ", lenient accepted ", lenient.accepted);
  // Sanity: the mutations must exercise both outcomes.
  CHECK(strict.rejected > 0);
  CHECK(lenient.accepted > 0);
}

}  // namespace

TEST_CASE("mutation: hand-made models in every writer layout") {
  const int count = mutations_per_base(1500);
  std::uint64_t seed = 0xC7A1'F022;
  for (const auto& [name, model] : testmodels::all()) {
    for (int variant : {0, 1, 6, 9}) {
      WriteOptions w;
      w.dedup_vtables = (variant & 1) != 0;
      w.force_defaults = (variant & 2) != 0;
      w.legacy_opcodes = (variant & 4) != 0;
      w.external_buffers = (variant & 8) != 0;
      const Base base =
          make_base(name + " layout " + std::to_string(variant), write_model(model, w));
      run(base, count, ++seed);
    }
  }
}

TEST_CASE("mutation: committed test files") {
  const int count = mutations_per_base(1000);
  std::uint64_t seed = 0xC7A1'F100;
  for (const char* name :
       {"tiny_fc_int8.tflite", "tiny_conv_int8.tflite", "tiny_misc_int8.tflite"}) {
    const std::vector<std::uint8_t> bytes = test::load(test::data_path(name));
    REQUIRE(!bytes.empty());
    run(make_base(name, bytes), count, ++seed);
  }
}

TEST_CASE("mutation: shared MLPerf Tiny models") {
  const int count = mutations_per_base(1500);
  std::uint64_t seed = 0xC7A1'F200;
  for (const char* folder : {"kws_ds_cnn_int8", "ad_autoencoder_int8"}) {
    const std::string path = test::shared_model_path(folder);
    if (path.empty()) {
      MESSAGE("SKIPPED: shared model ", folder, " not found under " CTML_SHARED_DIR);
      continue;
    }
    run(make_base(folder, test::load(path)), count, ++seed);
  }
}
