// SPDX-License-Identifier: Apache-2.0
#pragma once

// UTF-8 checks and the JSON string escaper. The escaper never fails: control characters, quotes and
// backslashes are escaped, and every byte sequence that is not valid UTF-8 (stray continuation
// bytes, overlong forms, surrogates, code points past U+10FFFF, cut sequences) becomes U+FFFD,
// one replacement per maximal invalid subpart as Unicode recommends. So its output is always valid
// JSON and valid UTF-8, whatever the input.

#include <cstddef>
#include <string_view>

namespace logship {

// True when `s` is valid UTF-8 (simdjson's validator: many GB/s).
bool IsValidUtf8(std::string_view s);

// Largest n <= max such that s[0, n) does not end inside a UTF-8 sequence that continues past n.
// Used to cut over-long lines at a character boundary. Returns max when s[max] starts a character,
// and never less than max - 3 (invalid input is cut where it must be).
size_t Utf8CutPoint(std::string_view s, size_t max);

// Room EscapeJsonString needs for n input bytes: "\u0000" is six bytes per byte, plus slack for
// the fixed-width stores it uses (it may write, then overwrite, up to 16 bytes past its result).
inline constexpr size_t MaxEscapedSize(size_t n) { return 6 * n + 16; }

// Writes `s` escaped for the inside of a JSON string (no quotes) to `out`, which must have
// MaxEscapedSize(s.size()) bytes free. Returns the end of what was written.
char* EscapeJsonString(std::string_view s, char* out);

}  // namespace logship
