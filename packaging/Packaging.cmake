# Debian package of the plugin (collectd-mountstats_<version>_<arch>.deb),
# built by CPack. Off by default: a normal build and `cmake --install` are
# unchanged. packaging/build-deb.sh configures a build with it and runs cpack;
# see packaging/README.md.
#
#   cmake -S . -B build-deb -DMOUNTSTATS_PACKAGE=ON -DCMAKE_INSTALL_PREFIX=/usr \
#         -DCOLLECTD_PLUGIN_DIR=/usr/lib/collectd \
#         -DCOLLECTD_DATA_DIR=/usr/share/collectd -DMOUNTSTATS_BUILD_TESTS=OFF
#   cmake --build build-deb && (cd build-deb && cpack -G DEB)
option(MOUNTSTATS_PACKAGE
  "Install the Debian package's files (drop-in, man page, docs) and configure CPack to build a .deb"
  OFF)
if(NOT MOUNTSTATS_PACKAGE)
  return()
endif()

set(MS_DEB_NAME collectd-mountstats)
set(MOUNTSTATS_DEB_REVISION "1" CACHE STRING "Debian revision of the package")
set(MS_DEB_VERSION "${PROJECT_VERSION}-${MOUNTSTATS_DEB_REVISION}")
set(MS_DEB_DOC /usr/share/doc/${MS_DEB_NAME})

# The package installs where Debian's collectd looks, whatever this machine's
# collectd says: the plugin and types rules above use these cache variables.
foreach(_pair "CMAKE_INSTALL_PREFIX=/usr" "COLLECTD_PLUGIN_DIR=/usr/lib/collectd"
              "COLLECTD_DATA_DIR=/usr/share/collectd")
  string(REPLACE "=" ";" _kv "${_pair}")
  list(GET _kv 0 _var)
  list(GET _kv 1 _want)
  if(NOT "${${_var}}" STREQUAL "${_want}")
    message(FATAL_ERROR "MOUNTSTATS_PACKAGE: ${_var} is \"${${_var}}\"; the "
      "Debian package needs -D${_var}=${_want} (packaging/build-deb.sh sets it).")
  endif()
endforeach()

# The changelog is the package's history: its last entry must be this version.
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/changelog" _first LIMIT_COUNT 1)
if(NOT _first MATCHES "^${MS_DEB_NAME} \\(([^)]+)\\)")
  message(FATAL_ERROR "packaging/changelog: first line is not a Debian changelog entry")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL MS_DEB_VERSION)
  message(FATAL_ERROR "packaging/changelog's last entry is ${CMAKE_MATCH_1}, the "
    "package is ${MS_DEB_VERSION}: add an entry to packaging/changelog.")
endif()

# Documentation compressed as dh_compress would (gzip -9n), in the build tree.
set(_pkg_out "${CMAKE_BINARY_DIR}/packaging")
file(MAKE_DIRECTORY "${_pkg_out}")
set(_gz_outputs "")
foreach(_pair
    "${CMAKE_CURRENT_LIST_DIR}/collectd-mountstats.5=collectd-mountstats.5.gz"
    "${CMAKE_CURRENT_LIST_DIR}/mountstats-dryrun.1=mountstats-dryrun.1.gz"
    "${CMAKE_CURRENT_LIST_DIR}/changelog=changelog.Debian.gz"
    "${PROJECT_SOURCE_DIR}/README.md=README.md.gz")
  string(REPLACE "=" ";" _kv "${_pair}")
  list(GET _kv 0 _in)
  list(GET _kv 1 _out)
  add_custom_command(OUTPUT "${_pkg_out}/${_out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${_in} -DOUT=${_pkg_out}/${_out}
            -P ${CMAKE_CURRENT_LIST_DIR}/gzip-n.cmake
    DEPENDS "${_in}" "${CMAKE_CURRENT_LIST_DIR}/gzip-n.cmake"
    COMMENT "Compressing ${_out}" VERBATIM)
  list(APPEND _gz_outputs "${_pkg_out}/${_out}")
endforeach()
# docs/*.md beside README.md.gz, in docs/ as README's links name them:
# every document of docs/, found again at each build, so a new one ships.
file(GLOB _docs CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md")
file(MAKE_DIRECTORY "${_pkg_out}/docs")
set(_doc_gz_outputs "")
foreach(_in ${_docs})
  get_filename_component(_name "${_in}" NAME)
  set(_out "${_pkg_out}/docs/${_name}.gz")
  add_custom_command(OUTPUT "${_out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${_in} -DOUT=${_out}
            -P ${CMAKE_CURRENT_LIST_DIR}/gzip-n.cmake
    DEPENDS "${_in}" "${CMAKE_CURRENT_LIST_DIR}/gzip-n.cmake"
    COMMENT "Compressing docs/${_name}.gz" VERBATIM)
  list(APPEND _doc_gz_outputs "${_out}")
endforeach()
add_custom_target(mountstats_package_docs ALL
  DEPENDS ${_gz_outputs} ${_doc_gz_outputs})

# The plugin as Debian ships its own (collectd-core's are 0644, stripped the
# way dh_strip does), and the files that make it a package. The paths are
# Debian's, absolute; CPack installs them under DESTDIR.
find_program(MS_STRIP NAMES ${CMAKE_STRIP} strip REQUIRED)
install(CODE "
  set(_so \"\$ENV{DESTDIR}${COLLECTD_PLUGIN_DIR}/mountstats.so\")
  execute_process(COMMAND \"${MS_STRIP}\" --remove-section=.comment
                          --remove-section=.note --strip-unneeded \"\${_so}\"
                  RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR \"strip \${_so} failed\")
  endif()
  execute_process(COMMAND chmod 0644 \"\${_so}\")
  set(_tool \"\$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/mountstats-dryrun\")
  execute_process(COMMAND \"${MS_STRIP}\" --remove-section=.comment
                          --remove-section=.note --strip-unneeded \"\${_tool}\"
                  RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR \"strip \${_tool} failed\")
  endif()
  execute_process(COMMAND chmod 0755 \"\${_tool}\")
")
install(FILES "${CMAKE_CURRENT_LIST_DIR}/mountstats.conf"
        DESTINATION /etc/collectd/collectd.conf.d)
install(FILES "${_pkg_out}/collectd-mountstats.5.gz" DESTINATION /usr/share/man/man5)
install(FILES "${_pkg_out}/mountstats-dryrun.1.gz" DESTINATION /usr/share/man/man1)
install(FILES "${CMAKE_CURRENT_LIST_DIR}/copyright" "${_pkg_out}/changelog.Debian.gz"
              "${_pkg_out}/README.md.gz"
        DESTINATION ${MS_DEB_DOC})
install(FILES ${_doc_gz_outputs} DESTINATION ${MS_DEB_DOC}/docs)
# The images the documents show (docs/integrations.md's example graphs), as
# they are: dh_compress leaves images alone.
file(GLOB _doc_images CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.png")
install(FILES ${_doc_images} DESTINATION ${MS_DEB_DOC}/docs)
install(FILES "${PROJECT_SOURCE_DIR}/collectd.conf.example"
        DESTINATION ${MS_DEB_DOC}/examples)
install(FILES "${CMAKE_CURRENT_LIST_DIR}/lintian-overrides"
        DESTINATION /usr/share/lintian/overrides RENAME ${MS_DEB_NAME})

# ---- CPack: one binary package ----------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${MS_DEB_NAME})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE ${MOUNTSTATS_DEB_REVISION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # <name>_<version>-<rev>_<arch>.deb
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/deb")
# Absolute install paths, staged under DESTDIR (nothing touches the system).
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
    WORLD_READ WORLD_EXECUTE)
set(CPACK_STRIP_FILES OFF) # stripped by the install(CODE) above
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER
    "collectd-mountstats developers <dev@collectd-mountstats.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Plugin ABI: the plugin is built against collectd 5.12's internal headers
# (value_list_t, data_set_t with DATA_MAX_NAME_LEN 128 from Debian's
# config.h) and calls plugin_dispatch_values, plugin_register_* and
# cf_util_get_* by name. collectd has no versioned plugin ABI, and 6.0
# replaces value_list_t with metric families, so any release after 5.12 needs
# a rebuild: the bound is every Debian revision of 5.12 (bookworm's 5.12.0-14
# and its updates, unstable's 5.12.0-1x), and no 5.13 pre-release (the ~).
# collectd-dev pins the exact collectd-core build, which would make the
# plugin uninstallable after any collectd security update.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "collectd-core (>= 5.12), collectd-core (<< 5.13~)")
# libc6 (>= ...) from the plugin's imports: dpkg-shlibdeps, run by cpack
# through this file (see the reason there).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
file(GENERATE OUTPUT "${_pkg_out}/cpack-project-config.cmake"
     INPUT "${CMAKE_CURRENT_LIST_DIR}/cpack-project-config.cmake.in")
set(CPACK_PROJECT_CONFIG_FILE "${_pkg_out}/cpack-project-config.cmake")
# collectd-core alone has no collectd.conf; the collectd package ships the one
# that includes /etc/collectd/collectd.conf.d/*.conf.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "collectd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${CMAKE_CURRENT_LIST_DIR}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "collectd plugin for NFS client statistics per mount and operation")
# The extended description; CPack puts the summary above it as the synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"The mountstats plugin reads /proc/self/mountstats and reports, per NFS mount
and per NFS operation, the kernel's counters: operations, retransmissions,
timeouts, bytes, queue, round-trip and execution time and errors, the VFS
event and byte counters, FS-Cache counters and the RPC transport (TCP, UDP,
RDMA, summed over nconnect connections). Counters are dispatched as DERIVE
values, so rrdtool, Graphite and the network plugin compute rates and
fleet-wide sums; optional gauges give nfsiostat's per-interval averages for
the threshold plugin.
.
The package installs the plugin into collectd's plugin directory, its
types.db, a drop-in /etc/collectd/collectd.conf.d/mountstats.conf that loads
it, and the manual page collectd-mountstats(5).")
include(CPack)
