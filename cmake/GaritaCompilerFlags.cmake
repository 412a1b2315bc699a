# Warning and sanitizer flags shared by every garita target.
add_library(garita_warnings INTERFACE)
target_compile_options(garita_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  # -Wnull-dereference is left out: GCC 12 reports false positives at -O2 inside
  # inlined standard-library code (e.g. in CLI11 and Boost headers).
  -Wimplicit-fallthrough -Wformat=2
  $<$<BOOL:${GARITA_WERROR}>:-Werror>)

if(GARITA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(GARITA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GARITA_FUZZ needs clang (use the 'fuzz' preset)")
  endif()
  # Everything is instrumented for coverage; only fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
