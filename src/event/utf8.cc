// SPDX-License-Identifier: Apache-2.0
#include "src/event/utf8.h"

#include <simdjson.h>

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logship {
namespace {

// 0: copied as is; 1: escaped (control, '"', '\\'); 2: starts or continues a multi-byte sequence.
constexpr uint8_t ByteClass(int c) {
  if (c < 0x20 || c == '"' || c == '\\') return 1;
  if (c >= 0x80) return 2;
  return 0;
}
struct ClassTable {
  uint8_t v[256];
  constexpr ClassTable() : v() {
    for (int c = 0; c < 256; ++c) v[c] = ByteClass(c);
  }
};
constexpr ClassTable kClass;

constexpr char kHex[] = "0123456789abcdef";

// Length of the plain-ASCII run at the start of [p, end): bytes needing no escape.
inline size_t SafePrefix(const unsigned char* p, const unsigned char* end) {
  const unsigned char* start = p;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so they also count as "< 0x20" here.
    __m128i special =
        _mm_or_si128(_mm_cmplt_epi8(v, space),
                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    int mask = _mm_movemask_epi8(special);
    if (mask != 0) return static_cast<size_t>(p - start) + static_cast<size_t>(__builtin_ctz(mask));
    p += 16;
  }
#endif
  while (p < end && kClass.v[*p] == 0) ++p;
  return static_cast<size_t>(p - start);
}

// Length of the valid UTF-8 sequence at p (2 to 4), or 0 when the bytes there are not one.
// *bad_len receives how many bytes form the maximal invalid subpart to replace by one U+FFFD.
inline int DecodeSequence(const unsigned char* p, const unsigned char* end, int* bad_len) {
  unsigned c = p[0];
  int need;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    *bad_len = 1;  // stray continuation byte, C0/C1, F5..FF
    return 0;
  }
  int i = 1;
  for (; i < need; ++i) {
    if (p + i >= end) break;
    unsigned b = p[i];
    unsigned l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
    if (b < l || b > h) break;
  }
  if (i == need) return need;
  *bad_len = i;  // the lead byte plus the continuation bytes that were valid so far
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

size_t Utf8CutPoint(std::string_view s, size_t max) {
  if (max >= s.size()) return s.size();
  // Back off over continuation bytes (at most 3) to the lead byte of the character at s[max].
  size_t n = max;
  while (n > 0 && max - n < 3 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  if (n == max) return max;  // s[max] starts a character
  // Cut before the lead byte only if its sequence reaches past max. Stray continuation bytes after
  // a complete character (or after ASCII) are invalid input, not part of it: cutting before that
  // character would break the contract above and push it into the next piece for nothing ("a\x80"
  // would even be cut at 0, leaving a caller that splits long lines with no progress).
  unsigned char lead = static_cast<unsigned char>(s[n]);
  size_t len = lead >= 0xC2 && lead <= 0xDF   ? 2
               : lead >= 0xE0 && lead <= 0xEF ? 3
               : lead >= 0xF0 && lead <= 0xF4 ? 4
                                              : 1;
  return n + len > max ? n : max;
}

// The JSON escape of each ASCII byte that needs one, padded to 8 bytes so that it is written with
// one 64-bit store (the caller leaves room: see MaxEscapedSize); len 0 marks bytes that need none.
struct AsciiEscapes {
  struct Entry {
    char text[8] = {};
    uint8_t len = 0;
  };
  Entry e[128];
  constexpr AsciiEscapes() : e() {
    for (int c = 0; c < 128; ++c) {
      Entry& x = e[c];
      auto set = [&x](const char* t, uint8_t n) {
        for (uint8_t i = 0; i < n; ++i) x.text[i] = t[i];
        x.len = n;
      };
      if (c == '"') {
        set("\\\"", 2);
      } else if (c == '\\') {
        set("\\\\", 2);
      } else if (c == '\n') {
        set("\\n", 2);
      } else if (c == '\r') {
        set("\\r", 2);
      } else if (c == '\t') {
        set("\\t", 2);
      } else if (c == '\b') {
        set("\\b", 2);
      } else if (c == '\f') {
        set("\\f", 2);
      } else if (c < 0x20) {
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        set(u, 6);
      }
    }
  }
};
constexpr AsciiEscapes kEscapes;

// Writes the escape for the special byte or multi-byte sequence at p and advances both pointers.
inline void EscapeOne(const unsigned char*& p, const unsigned char* end, char*& out) {
  unsigned char c = *p;
  if (c < 0x80) {
    std::memcpy(out, kEscapes.e[c].text, 8);
    out += kEscapes.e[c].len;
    ++p;
    return;
  }
  int bad_len = 0;
  int len = DecodeSequence(p, end, &bad_len);
  if (len > 0) {
    std::memcpy(out, p, static_cast<size_t>(len));
    out += len;
    p += len;
  } else {
    *out++ = static_cast<char>(0xEF);  // U+FFFD
    *out++ = static_cast<char>(0xBF);
    *out++ = static_cast<char>(0xBD);
    p += bad_len;
  }
}

char* EscapeJsonString(std::string_view s, char* out) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
#if defined(__SSE2__)
  // 16 bytes at a time. Log lines are full of quotes, so plain runs are short: a memcpy or a
  // mispredicted branch per run would cost more than the escaping. Stores are fixed-width and may
  // write up to 16 bytes past the final output, which MaxEscapedSize leaves room for.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  alignas(16) unsigned char block[32] = {};  // the current 16 input bytes, then slack
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so they also count as "< 0x20" here.
    __m128i special =
        _mm_or_si128(_mm_cmplt_epi8(v, space),
                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask == 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
      p += 16;
      out += 16;
      continue;
    }
    // Handle every special byte of the block without reloading it: each plain run is copied
    // with one 16-byte store from a copy of the block (so no read goes past the input).
    _mm_store_si128(reinterpret_cast<__m128i*>(block), v);
    unsigned prev = 0;
    bool left_block = false;
    do {
      unsigned i = static_cast<unsigned>(__builtin_ctz(mask));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + prev)));
      out += i - prev;
      unsigned char c = block[i];
      if (c >= 0x80) {
        // A multi-byte sequence may run past this block: decode it from the input itself.
        p += i;
        EscapeOne(p, end, out);
        left_block = true;
        break;
      }
      std::memcpy(out, kEscapes.e[c].text, 8);
      out += kEscapes.e[c].len;
      prev = i + 1;
      mask &= mask - 1;
    } while (mask != 0);
    if (left_block) continue;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + prev)));
    out += 16 - prev;
    p += 16;
  }
#endif
  while (p < end) {
    size_t run = SafePrefix(p, end);
    std::memcpy(out, p, run);
    out += run;
    p += run;
    if (p < end) EscapeOne(p, end, out);
  }
  return out;
}

}  // namespace logship
