# SPDX-License-Identifier: Apache-2.0
# cmake -DIN=file.bin -DOUT=file.hpp -P embed_bytes.cmake: the bytes of IN as a C++ int8 array.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "static_cast<std::int8_t>(0x\\1)," body "${hex}")
file(WRITE "${OUT}" "#pragma once\n#include <cstdint>\ninline constexpr std::int8_t golden[] = {${body}};\n")
