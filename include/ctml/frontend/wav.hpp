// SPDX-License-Identifier: Apache-2.0
#pragma once
// A RIFF/WAVE reader over bytes already in memory (a file read by the host, a clip in flash): no
// heap, no copies, and it never reads past `size`. Accepts PCM (format 1, or WAVE_FORMAT_EXTENSIBLE
// with the PCM sub-format) with 8, 16, 24 or 32 bits per sample; the samples stay where they are
// (little-endian, interleaved), read them with sample_s16().
//
//   ctml::frontend::WavView wav;
//   if (auto e = ctml::frontend::parse_wav(bytes, size, wav); e != ctml::frontend::WavError::none)
//     fail(ctml::frontend::describe(e));
//   if (wav.sample_rate != 16000 || wav.channels != 1 || wav.bits != 16) ...;
//   for (std::size_t i = 0; i < wav.frames; ++i) x[i] = wav.sample_s16(i, 0);
//
// Refused with a reason: shorter than a header, not RIFF/WAVE, no or short fmt chunk, a format
// other than PCM, unsupported sample widths, block alignment inconsistent with channels x width,
// no data chunk, a data chunk longer than the file (truncated), no samples, and chunk sizes that
// run past the end of the file.
#include <cstddef>
#include <cstdint>

namespace ctml::frontend {

enum class WavError {
  none,
  too_short,
  not_riff,
  not_wave,
  bad_chunk,
  no_fmt,
  fmt_too_short,
  not_pcm,
  bad_channels,
  bad_sample_rate,
  unsupported_bits,
  bad_block_align,
  no_data,
  truncated_data,
  empty,
};

constexpr const char* describe(WavError e) {
  switch (e) {
    case WavError::none: return "ok";
    case WavError::too_short: return "shorter than a WAV header (12 bytes)";
    case WavError::not_riff: return "not a RIFF file (no 'RIFF' at offset 0)";
    case WavError::not_wave: return "a RIFF file but not WAVE (no 'WAVE' at offset 8)";
    case WavError::bad_chunk: return "a chunk's size runs past the end of the file";
    case WavError::no_fmt: return "no 'fmt ' chunk before the data";
    case WavError::fmt_too_short: return "the 'fmt ' chunk is shorter than 16 bytes";
    case WavError::not_pcm: return "not PCM (only uncompressed integer PCM is read)";
    case WavError::bad_channels: return "zero channels";
    case WavError::bad_sample_rate: return "sample rate 0";
    case WavError::unsupported_bits: return "bits per sample other than 8, 16, 24 or 32";
    case WavError::bad_block_align: return "block alignment differs from channels x bytes per sample";
    case WavError::no_data: return "no 'data' chunk";
    case WavError::truncated_data: return "the 'data' chunk is longer than the file (truncated)";
    case WavError::empty: return "no samples";
  }
  return "unknown error";
}

struct WavView {
  std::uint32_t sample_rate = 0;
  std::uint16_t channels = 0;
  std::uint16_t bits = 0;
  const unsigned char* data = nullptr;  // the first sample
  std::size_t frames = 0;               // samples per channel

  // Sample `frame` of `channel`, scaled to int16 (8-bit is unsigned in WAV; wider formats keep
  // their top 16 bits).
  constexpr std::int16_t sample_s16(std::size_t frame, std::size_t channel = 0) const {
    const std::size_t width = bits / 8u;
    const unsigned char* p = data + (frame * channels + channel) * width;
    switch (bits) {
      case 8: return static_cast<std::int16_t>((static_cast<int>(p[0]) - 128) * 256);
      case 16: return static_cast<std::int16_t>(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
      case 24: return static_cast<std::int16_t>(static_cast<std::uint16_t>(p[1] | (p[2] << 8)));
      default: return static_cast<std::int16_t>(static_cast<std::uint16_t>(p[2] | (p[3] << 8)));
    }
  }
};

namespace wav_detail {
constexpr std::uint32_t u32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
constexpr std::uint16_t u16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
constexpr bool tag(const unsigned char* p, const char (&t)[5]) {
  return p[0] == static_cast<unsigned char>(t[0]) && p[1] == static_cast<unsigned char>(t[1]) &&
         p[2] == static_cast<unsigned char>(t[2]) && p[3] == static_cast<unsigned char>(t[3]);
}
}  // namespace wav_detail

// On success fills `out`; on error leaves it unchanged.
constexpr WavError parse_wav(const unsigned char* bytes, std::size_t size, WavView& out) {
  using namespace wav_detail;
  if (bytes == nullptr || size < 12) return WavError::too_short;
  if (!tag(bytes, "RIFF")) return WavError::not_riff;
  if (!tag(bytes + 8, "WAVE")) return WavError::not_wave;
  WavView w{};
  bool have_fmt = false;
  std::size_t block_align = 0;
  std::size_t pos = 12;
  while (size - pos >= 8) {
    const unsigned char* h = bytes + pos;
    const std::size_t len = u32(h + 4);
    const std::size_t body = pos + 8;
    if (tag(h, "data")) {
      if (!have_fmt) return WavError::no_fmt;
      if (len > size - body) return WavError::truncated_data;
      w.data = bytes + body;
      w.frames = len / block_align;
      if (w.frames == 0) return WavError::empty;
      out = w;
      return WavError::none;
    }
    if (len > size - body) return WavError::bad_chunk;
    if (tag(h, "fmt ")) {
      if (len < 16) return WavError::fmt_too_short;
      const unsigned char* f = bytes + body;
      std::uint16_t format = u16(f);
      if (format == 0xFFFE) {  // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID's first two bytes
        if (len < 40) return WavError::fmt_too_short;
        format = u16(f + 24);
      }
      if (format != 1) return WavError::not_pcm;
      w.channels = u16(f + 2);
      w.sample_rate = u32(f + 4);
      block_align = u16(f + 12);
      w.bits = u16(f + 14);
      if (w.channels == 0) return WavError::bad_channels;
      if (w.sample_rate == 0) return WavError::bad_sample_rate;
      if (w.bits != 8 && w.bits != 16 && w.bits != 24 && w.bits != 32) return WavError::unsupported_bits;
      if (block_align != static_cast<std::size_t>(w.channels) * (w.bits / 8u)) return WavError::bad_block_align;
      have_fmt = true;
    }
    // Chunks are padded to an even length.
    const std::size_t next = body + len + (len & 1u);
    if (next > size) break;
    pos = next;
  }
  return have_fmt ? WavError::no_data : WavError::no_fmt;
}

}  // namespace ctml::frontend
