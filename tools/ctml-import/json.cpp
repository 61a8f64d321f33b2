// SPDX-License-Identifier: Apache-2.0
#include "json.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace ctml::json {

namespace {

struct Parser {
  std::string_view s;
  std::size_t i = 0;
  Error& err;

  bool fail(const std::string& m) {
    if (err.message.empty()) err = {i, m};
    return false;
  }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool literal(std::string_view w) {
    if (s.substr(i, w.size()) != w) return fail("invalid literal");
    i += w.size();
    return true;
  }
  static void utf8(std::string& out, std::uint32_t c) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  bool hex4(std::uint32_t& v) {
    if (i + 4 > s.size()) return fail("truncated \\u escape");
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s[i++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else return fail("bad hex digit in \\u escape");
    }
    return true;
  }
  bool string(std::string& out) {
    ++i;  // the opening quote
    while (true) {
      if (i >= s.size()) return fail("unterminated string");
      const char c = s[i++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) return fail("unterminated escape");
      const char e = s[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t v = 0;
          if (!hex4(v)) return false;
          if (v >= 0xD800 && v < 0xDC00) {  // a surrogate pair
            std::uint32_t lo = 0;
            if (s.substr(i, 2) != "\\u") return fail("lone surrogate in a string");
            i += 2;
            if (!hex4(lo)) return false;
            if (lo < 0xDC00 || lo >= 0xE000) return fail("bad surrogate pair");
            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
          } else if (v >= 0xDC00 && v < 0xE000) {
            return fail("lone surrogate in a string");
          }
          utf8(out, v);
          break;
        }
        default: return fail("unknown escape in a string");
      }
    }
  }
  bool number(std::string& out) {
    const std::size_t start = i;
    if (i < s.size() && s[i] == '-') ++i;
    if (i >= s.size()) return fail("truncated number");
    if (s[i] == '0') {
      ++i;
    } else if (s[i] >= '1' && s[i] <= '9') {
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    } else {
      return fail("bad number");
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (i >= s.size() || !(s[i] >= '0' && s[i] <= '9')) return fail("bad number: no digit after '.'");
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (i >= s.size() || !(s[i] >= '0' && s[i] <= '9')) return fail("bad number: no exponent digits");
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    }
    if (i - start > 64) return fail("number literal longer than 64 characters");
    out.assign(s.substr(start, i - start));
    return true;
  }
  bool value(Value& v, int depth) {
    if (depth > 64) return fail("nesting deeper than 64");
    ws();
    if (i >= s.size()) return fail("unexpected end of the document");
    const char c = s[i];
    if (c == '{') {
      v.type = Value::Type::object;
      ++i;
      ws();
      if (i < s.size() && s[i] == '}') return ++i, true;
      while (true) {
        ws();
        if (i >= s.size() || s[i] != '"') return fail("expected a member name");
        std::string key;
        if (!string(key)) return false;
        ws();
        if (i >= s.size() || s[i] != ':') return fail("expected ':'");
        ++i;
        Value m;
        if (!value(m, depth + 1)) return false;
        v.keys.push_back(std::move(key));
        v.items.push_back(std::move(m));
        ws();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == '}') return ++i, true;
        return fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.type = Value::Type::array;
      ++i;
      ws();
      if (i < s.size() && s[i] == ']') return ++i, true;
      while (true) {
        Value m;
        if (!value(m, depth + 1)) return false;
        v.items.push_back(std::move(m));
        ws();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == ']') return ++i, true;
        return fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.type = Value::Type::string;
      return string(v.text);
    }
    if (c == 't') {
      v.type = Value::Type::boolean;
      v.boolean = true;
      return literal("true");
    }
    if (c == 'f') {
      v.type = Value::Type::boolean;
      return literal("false");
    }
    if (c == 'n') return literal("null");
    v.type = Value::Type::number;
    return number(v.text);
  }
};

// The numeric text of a number, or of a string that holds exactly one (XGBoost: "5E-1"; XGBoost
// 2 also "[5E-1]").
std::optional<std::string> numeric_text(const Value& v) {
  if (v.type == Value::Type::number) return v.text;
  if (v.type != Value::Type::string) return std::nullopt;
  std::string t = v.text;
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  if (t.empty()) return std::nullopt;
  Error e;
  Parser p{t, 0, e};
  std::string out;
  if (!p.number(out) || p.i != t.size()) return std::nullopt;
  return out;
}

}  // namespace

const Value* Value::find(std::string_view key) const {
  if (type != Type::object) return nullptr;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return &items[i];
  return nullptr;
}

std::optional<double> Value::as_double() const {
  const auto t = numeric_text(*this);
  if (!t) return std::nullopt;
  errno = 0;
  const double d = std::strtod(t->c_str(), nullptr);
  if (errno == ERANGE && std::isinf(d)) return std::nullopt;
  return d;
}

std::optional<float> Value::as_float() const {
  const auto t = numeric_text(*this);
  if (!t) return std::nullopt;
  errno = 0;
  const float f = std::strtof(t->c_str(), nullptr);
  if (errno == ERANGE && std::isinf(f)) return std::nullopt;
  return f;
}

std::optional<std::int64_t> Value::as_int() const {
  const auto d = as_double();
  if (!d || !(*d >= -9.0e15 && *d <= 9.0e15) || std::floor(*d) != *d) return std::nullopt;
  return static_cast<std::int64_t>(*d);
}

std::optional<Value> parse(std::string_view text, Error& err) {
  err = {};
  Parser p{text, 0, err};
  Value v;
  if (!p.value(v, 0)) return std::nullopt;
  p.ws();
  if (p.i != text.size()) {
    p.fail("text after the document's value");
    return std::nullopt;
  }
  return v;
}

}  // namespace ctml::json
