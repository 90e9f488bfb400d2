# SPDX-License-Identifier: MIT
# Turns the *.yaml files of a folder into a C source holding them as strings:
#   cmake -DOUT=file.c -DNAME=symbol -DDIR=folder -P embed.cmake
file(GLOB FILES ${DIR}/*.yaml)
list(SORT FILES)
set(body "/* generated from templates/ by cmake/embed.cmake; do not edit */\n#include <stddef.h>\n")
string(APPEND body "#include \"templates/embedded.h\"\nconst struct embedded_file ${NAME}[] = {\n")
foreach(f ${FILES})
  get_filename_component(base ${f} NAME_WE)
  file(READ ${f} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "    {\"${base}\", (const char[]){${hex} 0x00}},\n")
endforeach()
string(APPEND body "    {NULL, NULL},\n};\n")
file(WRITE ${OUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
