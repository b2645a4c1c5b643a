# Renders manual pages as plain UTF-8 text with groff (no bold, underline or
# escape sequences), for reading without man(1) and for linking:
#
#   cmake -DGROFF=/usr/bin/groff -DPAGES=a.5,b.1 -DOUTDIR=dir [-DSTRICT=ON] \
#         -P render-man.cmake
#
# writes dir/a.5.txt and dir/b.1.txt. groff runs with every warning on
# (-ww); they are printed, and with STRICT (the man_page test) any warning,
# or a page that renders empty, fails.
foreach(_v GROFF PAGES OUTDIR)
  if(NOT DEFINED ${_v} OR "${${_v}}" STREQUAL "")
    message(FATAL_ERROR "render-man.cmake: -D${_v}=... is missing")
  endif()
endforeach()
string(REPLACE "," ";" _pages "${PAGES}")
file(MAKE_DIRECTORY "${OUTDIR}")
set(_failed "")
foreach(_page ${_pages})
  get_filename_component(_name "${_page}" NAME)
  execute_process(COMMAND "${GROFF}" -man -ww -Tutf8 -P-cbou "${_page}"
                  OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0 OR _out STREQUAL "")
    message(SEND_ERROR "groff could not render ${_page} (exit ${_rc}):\n${_err}")
    list(APPEND _failed "${_name}")
    continue()
  endif()
  if(NOT _err STREQUAL "")
    if(STRICT)
      message(SEND_ERROR "groff warns about ${_page}:\n${_err}")
      list(APPEND _failed "${_name}")
    else()
      message(WARNING "groff warns about ${_page}:\n${_err}")
    endif()
  endif()
  file(WRITE "${OUTDIR}/${_name}.txt" "${_out}")
  string(REGEX MATCHALL "\n" _lines "${_out}")
  list(LENGTH _lines _n)
  message(STATUS "${_name}: ${_n} lines, ${OUTDIR}/${_name}.txt")
endforeach()
if(_failed)
  message(FATAL_ERROR "not rendered cleanly: ${_failed}")
endif()
