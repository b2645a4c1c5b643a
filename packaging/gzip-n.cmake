# cmake -DIN=<file> -DOUT=<file.gz> -P gzip-n.cmake
# Compresses IN the way dh_compress does: gzip -9n, without the file name and
# time stamp, so the package is reproducible.
find_program(GZIP gzip REQUIRED)
execute_process(COMMAND "${GZIP}" -9nc "${IN}" OUTPUT_FILE "${OUT}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${IN} failed: ${rc}")
endif()
