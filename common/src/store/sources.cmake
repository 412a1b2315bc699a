# Crossing store sources (list them here; included from common/CMakeLists.txt)
set(GARITA_COMMON_STORE_SOURCES)
