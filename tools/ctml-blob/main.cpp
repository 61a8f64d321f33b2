// SPDX-License-Identifier: Apache-2.0
// ctml-blob: make, sign, check and read model-update blobs (include/ctml/update, docs/updates.md).
//
//   ctml-blob keygen --ed25519 SECRET.key PUBLIC.key | --hmac KEY.bin
//   ctml-blob pack WEIGHTS.bin -o OUT.unsigned --version N --counter N [--key-id N]
//                  [--alg ed25519|hmac] [--self-test SECTION.bin | --cases N --inputs IN.bin --outputs OUT.bin]
//   ctml-blob sign IN.unsigned -o OUT.ctup (--ed25519 SECRET.key | --hmac KEY.bin)
//   ctml-blob verify BLOB.ctup (--ed25519-public PUBLIC.key | --hmac KEY.bin)
//                  [--fingerprint HEX --running-version N --floor N]
//   ctml-blob inspect BLOB.ctup
//
// pack takes the model fingerprint from the weight blob (a ctml weight blob: magic "CTWB", its
// size and CRC-32 are checked) and writes the blob with a zero tag of the algorithm's size; sign
// fills the tag: Ed25519 (libsodium, detached signature over every byte before the tag) or
// HMAC-SHA256 (ctml's). verify checks the header, the tag and, when given, the device's policy,
// and says why a blob is refused; its exit status is 0 only for a blob that verifies. Keys are raw
// bytes: Ed25519 secret 64, public 32; HMAC 32.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sodium.h>
#include <string>
#include <vector>

#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/make_update_blob.hpp>
#include <ctml/update/self_test.hpp>
#include <ctml/update/verify.hpp>

namespace {
using namespace ctml::update;

constexpr const char* kUsage =
    "usage: ctml-blob keygen (--ed25519 SECRET.key PUBLIC.key | --hmac KEY.bin)\n"
    "       ctml-blob pack WEIGHTS.bin -o OUT --version N --counter N [--key-id N] [--alg ed25519|hmac]\n"
    "                 [--self-test SECTION.bin | --cases N --inputs IN.bin --outputs OUT.bin]\n"
    "       ctml-blob sign IN -o OUT (--ed25519 SECRET.key | --hmac KEY.bin)\n"
    "       ctml-blob verify BLOB (--ed25519-public PUBLIC.key | --hmac KEY.bin) [--fingerprint HEX --running-version N --floor N]\n"
    "       ctml-blob inspect BLOB\n";

int fail(const std::string& m) {
  std::fprintf(stderr, "ctml-blob: %s\n", m.c_str());
  return 1;
}

bool read_file(const std::string& path, std::vector<std::uint8_t>& out, std::string& err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    err = path + ": cannot open";
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}
bool write_file(const std::string& path, const std::uint8_t* p, std::size_t n) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
  return static_cast<bool>(f);
}
bool number(const std::string& s, std::uint64_t& v, int base = 10) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  v = std::strtoull(s.c_str(), &end, base);
  return errno == 0 && end && *end == '\0';
}

// Options after the command's positional argument.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;
  bool ok = true;
  std::string get(const std::string& k) const {
    for (const auto& [a, b] : options)
      if (a == k) return b;
    return {};
  }
  bool has(const std::string& k) const {
    for (const auto& [a, b] : options)
      if (a == k) return true;
    return false;
  }
};
Args parse(int argc, char** argv, int from) {
  Args a;
  for (int i = from; i < argc; ++i) {
    const std::string s = argv[i];
    if (s.rfind("--", 0) == 0 || s == "-o") {
      if (i + 1 >= argc) {
        a.ok = false;
        break;
      }
      a.options.emplace_back(s, argv[++i]);
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

// A host Verifier for Ed25519 (libsodium): collects the signed bytes, checks at finish.
struct Ed25519Verifier {
  std::uint8_t public_key[crypto_sign_PUBLICKEYBYTES]{};
  std::vector<std::uint8_t> message;
  bool accepts(TagAlgorithm a, std::uint32_t) const { return a == TagAlgorithm::ed25519; }
  void begin(TagAlgorithm, std::uint32_t) { message.clear(); }
  void update(const std::uint8_t* p, std::size_t n) { message.insert(message.end(), p, p + n); }
  bool finish(const std::uint8_t* tag, std::size_t n) {
    return n == crypto_sign_BYTES && crypto_sign_verify_detached(tag, message.data(), message.size(), public_key) == 0;
  }
};

const char* algorithm_name(TagAlgorithm a) {
  return a == TagAlgorithm::hmac_sha256 ? "HMAC-SHA256" : (a == TagAlgorithm::ed25519 ? "Ed25519" : "unknown");
}

int keygen(const Args& a) {
  if (a.has("--hmac")) {
    std::uint8_t k[32];
    randombytes_buf(k, sizeof k);
    return write_file(a.get("--hmac"), k, sizeof k) ? 0 : fail("cannot write " + a.get("--hmac"));
  }
  if (a.has("--ed25519") && a.positional.size() == 1) {
    std::uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    if (!write_file(a.get("--ed25519"), sk, sizeof sk) || !write_file(a.positional[0], pk, sizeof pk)) return fail("cannot write the keys");
    return 0;
  }
  return fail("keygen: --ed25519 SECRET.key PUBLIC.key, or --hmac KEY.bin");
}

int pack(const Args& a) {
  std::string err;
  std::vector<std::uint8_t> w;
  if (a.positional.size() != 1 || a.get("-o").empty()) return fail("pack: WEIGHTS.bin -o OUT --version N --counter N");
  if (!read_file(a.positional[0], w, err)) return fail(err);
  // A ctml weight blob (model/serialize.hpp): magic, size, CRC; its fingerprint names the model.
  if (w.size() < 28 || std::memcmp(w.data(), "CTWB", 4) != 0) return fail(a.positional[0] + ": not a ctml weight blob (magic)");
  if (detail::le32(w.data() + 20) != w.size()) return fail(a.positional[0] + ": its size field does not match the file (truncated?)");
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i + 4 < w.size(); ++i) {
    crc ^= w[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  if (~crc != detail::le32(w.data() + w.size() - 4)) return fail(a.positional[0] + ": CRC-32 mismatch (corrupted)");
  std::uint64_t version = 0, counter = 0, key_id = 0;
  if (!number(a.get("--version"), version) || version > 0xFFFFFFFFu) return fail("pack: --version N (0 .. 2^32-1)");
  if (!number(a.get("--counter"), counter) || counter > 0xFFFFFFFFu) return fail("pack: --counter N (0 .. 2^32-1)");
  if (a.has("--key-id") && (!number(a.get("--key-id"), key_id) || key_id > 0xFFFFFFFFu)) return fail("pack: --key-id N");
  const std::string alg = a.has("--alg") ? a.get("--alg") : "ed25519";
  if (alg != "ed25519" && alg != "hmac") return fail("pack: --alg ed25519 or hmac");
  std::vector<std::uint8_t> st;
  if (a.has("--self-test")) {
    if (!read_file(a.get("--self-test"), st, err)) return fail(err);
  } else if (a.has("--cases")) {
    std::uint64_t cases = 0;
    std::vector<std::uint8_t> in, out;
    if (!number(a.get("--cases"), cases) || cases == 0 || cases > 65535) return fail("pack: --cases N (1 .. 65535)");
    if (!read_file(a.get("--inputs"), in, err) || !read_file(a.get("--outputs"), out, err)) return fail(err);
    if (in.size() % cases || out.size() % cases) return fail("pack: the inputs and outputs do not split into --cases equal parts");
    st.resize(12 + in.size() + out.size());
    if (!write_self_test(st, static_cast<std::uint32_t>(cases), in, static_cast<std::uint32_t>(in.size() / cases), out,
                         static_cast<std::uint32_t>(out.size() / cases)))
      return fail("pack: cannot build the self-test section");
  }
  if (!st.empty()) {
    SelfTestView view;
    if (UpdateResult r = parse_self_test(st, view); !r) return fail(std::string("pack: ") + r.reason);
  }
  UpdateHeader h;
  h.fingerprint = detail::le32(w.data() + 8) | static_cast<std::uint64_t>(detail::le32(w.data() + 12)) << 32;
  h.model_version = static_cast<std::uint32_t>(version);
  h.security_counter = static_cast<std::uint32_t>(counter);
  h.payload_bytes = static_cast<std::uint32_t>(w.size());
  h.self_test_bytes = static_cast<std::uint32_t>(st.size());
  h.algorithm = alg == "hmac" ? TagAlgorithm::hmac_sha256 : TagAlgorithm::ed25519;
  h.key_id = static_cast<std::uint32_t>(key_id);
  std::vector<std::uint8_t> blob(h.total_bytes(), 0);
  write_update_header(blob.data(), h);
  std::memcpy(blob.data() + h.payload_offset(), w.data(), w.size());
  if (!st.empty()) std::memcpy(blob.data() + h.self_test_offset(), st.data(), st.size());
  return write_file(a.get("-o"), blob.data(), blob.size()) ? 0 : fail("cannot write " + a.get("-o"));
}

int sign(const Args& a) {
  std::string err;
  std::vector<std::uint8_t> blob, key;
  if (a.positional.size() != 1 || a.get("-o").empty()) return fail("sign: IN -o OUT (--ed25519 SECRET.key | --hmac KEY.bin)");
  if (!read_file(a.positional[0], blob, err)) return fail(err);
  UpdateHeader h;
  if (UpdateResult r = parse_update_header(blob, blob.size(), h); !r) return fail(a.positional[0] + ": " + r.reason);
  std::uint8_t* tag = blob.data() + h.signed_bytes();
  if (h.algorithm == TagAlgorithm::ed25519) {
    if (!a.has("--ed25519")) return fail("sign: the blob was packed for Ed25519: --ed25519 SECRET.key");
    if (!read_file(a.get("--ed25519"), key, err)) return fail(err);
    if (key.size() != crypto_sign_SECRETKEYBYTES) return fail("sign: an Ed25519 secret key is 64 bytes");
    crypto_sign_detached(tag, nullptr, blob.data(), h.signed_bytes(), key.data());
  } else {
    if (!a.has("--hmac")) return fail("sign: the blob was packed for HMAC-SHA256: --hmac KEY.bin");
    if (!read_file(a.get("--hmac"), key, err)) return fail(err);
    if (key.size() != 32) return fail("sign: an HMAC key is 32 bytes");
    const auto t = hmac_sha256(key.data(), key.size(), blob.data(), h.signed_bytes());
    std::memcpy(tag, t.data(), t.size());
  }
  sodium_memzero(key.data(), key.size());
  return write_file(a.get("-o"), blob.data(), blob.size()) ? 0 : fail("cannot write " + a.get("-o"));
}

int verify(const Args& a) {
  std::string err;
  std::vector<std::uint8_t> blob, key;
  if (a.positional.size() != 1) return fail("verify: BLOB (--ed25519-public PUBLIC.key | --hmac KEY.bin)");
  if (!read_file(a.positional[0], blob, err)) return fail(err);
  DeviceState d{};
  UpdateHeader peek;
  if (UpdateResult r = parse_update_header(blob, blob.size(), peek); !r) return fail(a.positional[0] + ": refused: " + r.reason);
  d.fingerprint = peek.fingerprint;  // no policy unless given
  std::uint64_t v = 0;
  if (a.has("--fingerprint")) {
    if (!number(a.get("--fingerprint"), v, 16)) return fail("verify: --fingerprint HEX");
    d.fingerprint = v;
  }
  if (a.has("--running-version")) {
    if (!number(a.get("--running-version"), v) || v > 0xFFFFFFFFu) return fail("verify: --running-version N");
    d.model_version = static_cast<std::uint32_t>(v);
  } else if (peek.model_version > 0) {
    d.model_version = peek.model_version - 1;
  }
  if (a.has("--floor")) {
    if (!number(a.get("--floor"), v) || v > 0xFFFFFFFFu) return fail("verify: --floor N");
    d.security_counter = static_cast<std::uint32_t>(v);
  }
  UpdateHeader h;
  UpdateResult r;
  if (a.has("--ed25519-public")) {
    if (!read_file(a.get("--ed25519-public"), key, err)) return fail(err);
    if (key.size() != crypto_sign_PUBLICKEYBYTES) return fail("verify: an Ed25519 public key is 32 bytes");
    Ed25519Verifier ver;
    std::memcpy(ver.public_key, key.data(), key.size());
    r = verify_update(ver, blob, d, h);
  } else if (a.has("--hmac")) {
    if (!read_file(a.get("--hmac"), key, err)) return fail(err);
    if (key.size() != 32) return fail("verify: an HMAC key is 32 bytes");
    ProvisionedKey k{peek.key_id, {}};
    std::memcpy(k.key.data(), key.data(), 32);
    HmacVerifier<1> ver{{k}};
    r = verify_update(ver, blob, d, h);
  } else {
    return fail("verify: --ed25519-public PUBLIC.key or --hmac KEY.bin");
  }
  if (!r) return fail(a.positional[0] + ": refused: " + r.reason);
  std::printf("%s: verifies (%s, key id %u), model version %u, security counter %u\n", a.positional[0].c_str(), algorithm_name(h.algorithm),
              h.key_id, h.model_version, h.security_counter);
  return 0;
}

int inspect(const Args& a) {
  std::string err;
  std::vector<std::uint8_t> blob;
  if (a.positional.size() != 1) return fail("inspect: BLOB");
  if (!read_file(a.positional[0], blob, err)) return fail(err);
  UpdateHeader h;
  if (UpdateResult r = parse_update_header(blob, blob.size(), h); !r) return fail(a.positional[0] + ": " + r.reason);
  std::printf("ctml update blob, format %u, %zu bytes\n", unsigned{update_blob_version}, blob.size());
  std::printf("  model fingerprint  %016llx\n", static_cast<unsigned long long>(h.fingerprint));
  std::printf("  model version      %u\n  security counter   %u\n", h.model_version, h.security_counter);
  std::printf("  payload            %u bytes (weight blob)\n", h.payload_bytes);
  SelfTestView t;
  if (h.self_test_bytes == 0) std::printf("  self-test          none\n");
  else if (parse_self_test(std::span(blob.data() + h.self_test_offset(), h.self_test_bytes), t))
    std::printf("  self-test          %u cases, %u input bytes, %u output bytes each\n", t.cases, t.input_bytes, t.output_bytes);
  else std::printf("  self-test          %u bytes, malformed\n", h.self_test_bytes);
  bool signed_ = false;
  for (std::size_t i = 0; i < tag_bytes(h.algorithm); ++i) signed_ |= blob[h.signed_bytes() + i] != 0;
  std::printf("  tag                %s, key id %u, %s\n", algorithm_name(h.algorithm), h.key_id, signed_ ? "present" : "not signed yet (zeros)");
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return fail("libsodium failed to initialise");
  if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 1 : 0;
  }
  const std::string cmd = argv[1];
  const Args a = parse(argc, argv, 2);
  if (!a.ok) return fail("an option is missing its value");
  if (cmd == "keygen") return keygen(a);
  if (cmd == "pack") return pack(a);
  if (cmd == "sign") return sign(a);
  if (cmd == "verify") return verify(a);
  if (cmd == "inspect") return inspect(a);
  return fail("unknown command '" + cmd + "'\n" + kUsage);
}
