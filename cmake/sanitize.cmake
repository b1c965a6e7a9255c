# sanitize.cmake -- sanitizer and fuzzing builds (included by the top-level CMakeLists.txt).
#
#   -DASACL_SANITIZE=ON   everything (library, tool, tests) with AddressSanitizer and
#                         UndefinedBehaviorSanitizer; any finding stops the program
#                         (-fno-sanitize-recover=all). Works with gcc and clang.
#   -DASACL_FUZZ=ON       additionally builds the libFuzzer targets of tests/fuzz and
#                         instruments the code for coverage; needs clang
#                         (-DCMAKE_C_COMPILER=clang-15). Implies ASACL_SANITIZE.
# Without these the fuzz targets are still built, with a plain main() that replays
# their committed corpora and regression inputs as ordinary ctests (tests/fuzz).
option(ASACL_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(ASACL_FUZZ "Build the libFuzzer targets in tests/fuzz (clang; implies ASACL_SANITIZE)" OFF)

if(ASACL_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ASACL_FUZZ=ON needs clang for libFuzzer: -DCMAKE_C_COMPILER=clang-15")
  endif()
  set(ASACL_SANITIZE ON CACHE BOOL "" FORCE)
endif()

if(ASACL_SANITIZE)
  # gcc's -fsanitize=undefined leaves out float-cast-overflow (clang's includes it):
  # a double too large for the integer it is converted to is what the fuzzers found.
  set(ASACL_SAN_FLAGS -fsanitize=address,undefined,float-cast-overflow
      -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${ASACL_SAN_FLAGS} -g)
  add_link_options(${ASACL_SAN_FLAGS})
endif()
if(ASACL_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# -Wno-format-truncation is gcc's; clang (the fuzzing compiler) has no such
# warning and would stop at the unknown option under -Werror.
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  list(REMOVE_ITEM ASACL_WARNINGS -Wno-format-truncation)
endif()
