# Lane pipeline sources (list them here; included from common/CMakeLists.txt)
set(GARITA_COMMON_LANE_SOURCES)
