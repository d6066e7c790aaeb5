# The header-only core, proven std-only: sidecar is configured with
# SIDECAR_BUILD_LIBRARY=OFF while every third-party package is disabled, so a
# find_package of any of them fails; its install must hold headers and no
# library; a consumer builds against it through find_package(sidecar
# COMPONENTS core) (same packages disabled) and through pkg-config with no
# -l flag; the programs need no shared library but the C++ runtime's.
# Every installed header, included together with -fkeep-inline-functions,
# must link without a library (no declaration defined in compiled code).
# Arguments: SOURCE_DIR (the sidecar tree), CONSUMER_DIR, WORK_DIR, GENERATOR,
# CXX, PKG_CONFIG, READELF.
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(no_deps "")
foreach(pkg IN ITEMS Threads simdjson fmt yaml-cpp CURL PkgConfig Protobuf Catch2 pybind11 Python)
  list(APPEND no_deps -DCMAKE_DISABLE_FIND_PACKAGE_${pkg}=ON)
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

run("configuring sidecar core-only" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/sidecar -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX} -DSIDECAR_BUILD_LIBRARY=OFF -DCMAKE_INSTALL_PREFIX=${prefix} ${no_deps})
run("building sidecar core-only" ${CMAKE_COMMAND} --build ${WORK_DIR}/sidecar)
run("installing sidecar core-only" ${CMAKE_COMMAND} --install ${WORK_DIR}/sidecar)

file(GLOB_RECURSE libs ${prefix}/*.a ${prefix}/*.so ${prefix}/*.so.*)
if(libs)
  message(FATAL_ERROR "a core-only install holds libraries: ${libs}")
endif()
file(GLOB_RECURSE headers RELATIVE ${prefix}/include ${prefix}/include/*.h)
list(LENGTH headers n)
if(n LESS 10 OR NOT "sidecar/core/types.h" IN_LIST headers OR "sidecar/config.h" IN_LIST headers)
  message(FATAL_ERROR "unexpected core headers: ${headers}")
endif()

# 1. CMake: find_package(sidecar COMPONENTS core) with the dependencies disabled.
run("configuring the core consumer" ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} ${no_deps})
run("building the core consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
set(programs ${WORK_DIR}/consumer/core_consumer)

# 2. pkg-config: sidecar-core adds an include path and nothing to link.
file(GLOB_RECURSE pc_file ${prefix}/sidecar-core.pc)
if(NOT pc_file)
  message(FATAL_ERROR "sidecar-core.pc is not installed")
endif()
get_filename_component(pc_dir "${pc_file}" DIRECTORY)
run("pkg-config sidecar-core" ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pc_dir}
    ${PKG_CONFIG} --cflags --libs sidecar-core)
string(STRIP "${out}" pc_flags)
if(NOT pc_flags MATCHES "^-I[^ ]+$")
  message(FATAL_ERROR "sidecar-core.pc should give one -I and no library: '${pc_flags}'")
endif()
run("compiling the core consumer with pkg-config flags" ${CXX} -std=c++20 -Wall -Wextra -Werror ${pc_flags}
    ${CONSUMER_DIR}/core_consumer.cc -o ${WORK_DIR}/core_consumer_pc)
list(APPEND programs ${WORK_DIR}/core_consumer_pc)

# 3. Every installed header at once, inline functions kept: a function the
# headers declare but only a library defines fails this link.
set(all "")
foreach(h IN LISTS headers)
  string(APPEND all "#include \"${h}\"\n")
endforeach()
string(APPEND all "int main() { return 0; }\n")
file(WRITE ${WORK_DIR}/all_headers.cc "${all}")
run("linking every core header with no library" ${CXX} -std=c++20 -fkeep-inline-functions -Wall -Wextra -Werror
    ${pc_flags} ${WORK_DIR}/all_headers.cc -o ${WORK_DIR}/all_headers)
list(APPEND programs ${WORK_DIR}/all_headers)

# The programs run, and need only the C and C++ runtimes.
foreach(p IN LISTS programs)
  run("running ${p}" ${p})
  if(NOT p MATCHES "all_headers$" AND NOT out MATCHES "^sidecar [0-9.]+ core: .*\"syndrome\":\"nan_loss\"")
    message(FATAL_ERROR "${p} printed: ${out}")
  endif()
  run("readelf ${p}" ${READELF} -d ${p})
  string(REGEX MATCHALL "Shared library: \\[[^]]+\\]" needed "${out}")
  foreach(lib IN LISTS needed)
    if(NOT lib MATCHES "\\[(libstdc\\+\\+|libc\\+\\+|libm|libgcc_s|libc|ld-linux[^]]*)\\.so")
      message(FATAL_ERROR "${p} needs ${lib}: only the standard library may be linked")
    endif()
  endforeach()
endforeach()
message(STATUS "core-only: ${n} headers, consumers built with no library but the standard one")
