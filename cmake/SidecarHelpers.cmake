# Helpers shared by every directory of the build.

# Warnings for our own targets (never global flags).
add_library(sidecar_warnings INTERFACE)
target_compile_options(sidecar_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  # GCC 12 reports impossible sizes for `"literal" + std::string` at -O3
  # (GCC bug 105651): a false positive, not a finding.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  $<$<BOOL:${SIDECAR_WERROR}>:-Werror>)
if(SIDECAR_SANITIZE)
  target_compile_options(sidecar_warnings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(sidecar_warnings INTERFACE -fsanitize=address,undefined)
endif()

# sidecar_component(NAME [DEPS component...] [LIBS target...])
# One OBJECT library per component from libsidecar/src/<NAME>/*.cc; the
# static libsidecar is the union of all components. Tests link only the
# components they exercise, so one component's build stays independent.
set_property(GLOBAL PROPERTY SIDECAR_COMPONENTS "")
function(sidecar_component name)
  cmake_parse_arguments(ARG "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/${name}/*.cc)
  if(NOT srcs)
    return()  # a component with no sources yet contributes nothing
  endif()
  add_library(sidecar_${name} OBJECT ${srcs})
  target_link_libraries(sidecar_${name} PUBLIC sidecar_core_build ${ARG_LIBS})
  foreach(dep IN LISTS ARG_DEPS)
    if(TARGET sidecar_${dep})
      target_link_libraries(sidecar_${name} PUBLIC sidecar_${dep})
    endif()
  endforeach()
  set_target_properties(sidecar_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON
                        SIDECAR_DEPS "${ARG_DEPS}")
  set_property(GLOBAL APPEND PROPERTY SIDECAR_COMPONENTS ${name})
endfunction()

# sidecar_link_components(TARGET comp...): link the components and, since
# object files do not travel through OBJECT-library links, every component
# they depend on.
function(sidecar_link_components target)
  set(todo ${ARGN})
  set(seen "")
  while(todo)
    list(POP_FRONT todo c)
    if(c IN_LIST seen OR NOT TARGET sidecar_${c})
      continue()
    endif()
    list(APPEND seen ${c})
    get_target_property(deps sidecar_${c} SIDECAR_DEPS)
    if(deps)
      list(APPEND todo ${deps})
    endif()
  endwhile()
  foreach(c IN LISTS seen)
    target_link_libraries(${target} PRIVATE sidecar_${c})
  endforeach()
endfunction()

# sidecar_add_programs(PREFIX OUT_VAR): one executable <PREFIX><name> per *.cc
# in the calling folder, linked to every component and the warnings; the
# targets' names go to OUT_VAR (the benches and the examples).
function(sidecar_add_programs prefix out_var)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  get_property(components GLOBAL PROPERTY SIDECAR_COMPONENTS)
  set(targets "")
  foreach(src IN LISTS srcs)
    get_filename_component(name ${src} NAME_WE)
    add_executable(${prefix}${name} ${src})
    sidecar_link_components(${prefix}${name} ${components})
    target_link_libraries(${prefix}${name} PRIVATE sidecar_warnings)
    list(APPEND targets ${prefix}${name})
  endforeach()
  set(${out_var} ${targets} PARENT_SCOPE)
endfunction()
