# Installation rules (included by the top-level CMakeLists.txt once every
# target exists). Two export sets, so that find_package(sidecar COMPONENTS
# core) never looks for the compiled library's dependencies:
#   sidecarCoreTargets: sidecar::core, header-only and std-only;
#   sidecarTargets:     sidecar::sidecar, static or shared (BUILD_SHARED_LIBS).
# pkg-config users get the same split: sidecar-core.pc and sidecar.pc.
include(CMakePackageConfigHelpers)

set(SIDECAR_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sidecar)
set(SIDECAR_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Headers: the public API (include/sidecar/*.h and the core's sidecar/core/)
# with the library, only the core's without it. include/sidecar/detail/ is
# internal to the library and never installed (install_consumer compiles every
# installed header on its own to prove none needs it).
if(SIDECAR_BUILD_LIBRARY)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/libsidecar/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          COMPONENT dev FILES_MATCHING PATTERN "*.h" REGEX "/sidecar/detail$" EXCLUDE)
else()
  foreach(h IN LISTS SIDECAR_CORE_HEADERS)
    get_filename_component(dir ${h} DIRECTORY)
    install(FILES ${PROJECT_SOURCE_DIR}/libsidecar/include/${h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${dir}
            COMPONENT dev)
  endforeach()
endif()
install(FILES ${PROJECT_BINARY_DIR}/include/sidecar/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sidecar COMPONENT dev)

install(TARGETS sidecar_core EXPORT sidecarCoreTargets COMPONENT dev)
install(EXPORT sidecarCoreTargets NAMESPACE sidecar:: DESTINATION ${SIDECAR_CMAKE_DIR} COMPONENT dev)
if(SIDECAR_BUILD_LIBRARY)
  install(TARGETS sidecar EXPORT sidecarTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev NAMELINK_COMPONENT dev
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT dev)
  install(EXPORT sidecarTargets NAMESPACE sidecar:: DESTINATION ${SIDECAR_CMAKE_DIR} COMPONENT dev)
  get_target_property(SIDECAR_LIBRARY_TYPE sidecar TYPE)
else()
  set(SIDECAR_LIBRARY_TYPE NONE)
  set(SIDECAR_WITH_TENSORBOARD OFF)
endif()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sidecarConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sidecarConfig.cmake INSTALL_DESTINATION ${SIDECAR_CMAKE_DIR})
if(SIDECAR_BUILD_LIBRARY)
  set(arch_independent "")
else()
  set(arch_independent ARCH_INDEPENDENT)  # headers only
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sidecarConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ${arch_independent})
install(FILES ${PROJECT_BINARY_DIR}/sidecarConfig.cmake ${PROJECT_BINARY_DIR}/sidecarConfigVersion.cmake
        DESTINATION ${SIDECAR_CMAKE_DIR} COMPONENT dev)

# pkg-config files, relocatable: the prefix is found from the .pc file's place.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  message(STATUS "sidecar: absolute install dirs, pkg-config files not installed")
  return()
endif()
file(RELATIVE_PATH SIDECAR_PC_TO_PREFIX ${CMAKE_INSTALL_PREFIX}/${SIDECAR_PC_DIR} ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" SIDECAR_PC_TO_PREFIX "${SIDECAR_PC_TO_PREFIX}")
set(SIDECAR_PC_REQUIRES_PRIVATE "")
set(SIDECAR_PC_LIBS_PRIVATE "")
if(SIDECAR_LIBRARY_TYPE STREQUAL "STATIC_LIBRARY")
  # What a static libsidecar needs at link time (`pkg-config --static --libs
  # sidecar`): its direct dependencies' own (shared) link flags. Not as
  # Requires.private, since --static would then ask for every transitive
  # static library (OpenSSL's), which distributions do not ship. libcurl and
  # cpp-httplib are not among them: libcurl is loaded with dlopen on the first
  # HTTP request, cpp-httplib only by the HTTP module (libsidecar-http.so).
  set(deps yaml-cpp simdjson fmt re2 libhs)
  if(SIDECAR_WITH_TENSORBOARD)
    list(APPEND deps protobuf-lite)
  endif()
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --libs ${deps} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE SIDECAR_PC_LIBS_PRIVATE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0)
    string(APPEND SIDECAR_PC_LIBS_PRIVATE " -pthread")
    if(CMAKE_DL_LIBS)
      string(APPEND SIDECAR_PC_LIBS_PRIVATE " -l${CMAKE_DL_LIBS}")
    endif()
  else()
    list(JOIN deps " " SIDECAR_PC_REQUIRES_PRIVATE)  # some .pc is missing: the strict form
    set(SIDECAR_PC_LIBS_PRIVATE "-pthread")
  endif()
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/sidecar-core.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/sidecar-core.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/sidecar-core.pc DESTINATION ${SIDECAR_PC_DIR} COMPONENT dev)
if(SIDECAR_BUILD_LIBRARY)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/sidecar.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/sidecar.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/sidecar.pc DESTINATION ${SIDECAR_PC_DIR} COMPONENT dev)
endif()
