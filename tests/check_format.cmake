# cmake -DCLANG_FORMAT=... -DROOT=... -P check_format.cmake
# Fails when any C++ file we own differs from its clang-format output.
file(GLOB_RECURSE files ${ROOT}/libsidecar/*.h ${ROOT}/libsidecar/*.cc ${ROOT}/cli/*.h ${ROOT}/cli/*.cc
     ${ROOT}/bindings/*.h ${ROOT}/bindings/*.cc ${ROOT}/tests/*.h ${ROOT}/tests/*.cc
     ${ROOT}/examples/*.cc ${ROOT}/bench/*.cc ${ROOT}/bench/*.h)
set(bad "")
foreach(f IN LISTS files)
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${f} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    string(APPEND bad "  ${f}\n")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "not clang-formatted (run clang-format -i on them):\n${bad}")
endif()
list(LENGTH files n)
message(STATUS "clang-format: ${n} files ok")
