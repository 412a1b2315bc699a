# Cross-build for the lane board (arm64) with Debian's cross toolchain
# (crossbuild-essential-arm64) and multiarch libraries (lib...-dev:arm64,
# installed by scripts/install-deps.sh --arm64). Tests run under qemu user
# emulation (qemu-user-static): CTest and catch_discover_tests go through
# CMAKE_CROSSCOMPILING_EMULATOR, so `ctest --preset arm64` works on an x86 CI
# machine. Used by the `arm64` preset, which builds only what the lane board
# runs (GARITA_LANE_BOARD_ONLY).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(GARITA_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${GARITA_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${GARITA_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${GARITA_TRIPLET})

# Multiarch: the arm64 libraries live in /usr/lib/aarch64-linux-gnu and the
# headers (mostly arch-independent) in /usr/include, so the "root" is / and
# CMAKE_LIBRARY_ARCHITECTURE picks the arm64 library directory. Programs
# (code generators, the emulator) are the build machine's.
set(CMAKE_FIND_ROOT_PATH /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Never pick an x86_64 library by accident.
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu)

# pkg-config must read the arm64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${GARITA_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

find_program(GARITA_QEMU_AARCH64 qemu-aarch64-static qemu-aarch64)
if(GARITA_QEMU_AARCH64)
  # With multiarch libc6:arm64 installed the arm64 loader and libraries are
  # found in /lib and /usr/lib/aarch64-linux-gnu: no -L sysroot needed.
  set(CMAKE_CROSSCOMPILING_EMULATOR ${GARITA_QEMU_AARCH64})
endif()
