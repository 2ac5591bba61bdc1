# golden.cmake - run the diagnostics driver on one bad scenario and compare its output
# with the expected file.  -DDRIVER -DINPUT -DEXPECTED [-DARGS_FILE: one argument a
# line, e.g. "--set" then "scenario.seed=x"].  Paths are relative to the working
# directory, so the printed locations are stable.
set(args "")
if(ARGS_FILE AND EXISTS "${ARGS_FILE}")
  file(STRINGS "${ARGS_FILE}" args)
endif()
execute_process(COMMAND "${DRIVER}" "${INPUT}" ${args}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(DEFINED ENV{STRAITS_UPDATE_GOLDEN})
  file(WRITE "${EXPECTED}" "${out}")
endif()
if(NOT EXISTS "${EXPECTED}")
  message(FATAL_ERROR "no expected output ${EXPECTED}; the driver printed:\n${out}")
endif()
file(READ "${EXPECTED}" expected)
if(NOT rc STREQUAL "2")
  message(FATAL_ERROR "${INPUT}: exit status ${rc}, expected 2\n${out}${err}")
endif()
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "${INPUT}: diagnostics differ\n--- expected\n${expected}--- got\n${out}")
endif()
