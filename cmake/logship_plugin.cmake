# logship_add_plugin(<name> KIND sink|parser SOURCES ... [DEPS ...])
# Builds one parser or sink as an object library linked into logship_sinks / logship_parsers.
# Object libraries keep every object file: the registry line, not a static initialiser, selects
# what is compiled in, so nothing can be dropped by the linker.
function(logship_add_plugin name)
  cmake_parse_arguments(P "" "KIND" "SOURCES;DEPS" ${ARGN})
  add_library(${name} OBJECT ${P_SOURCES})
  target_link_libraries(${name} PUBLIC logship_core ${P_DEPS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  set_property(GLOBAL APPEND PROPERTY LOGSHIP_${P_KIND}_PLUGINS ${name})
endfunction()
