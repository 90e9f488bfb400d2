# SPDX-License-Identifier: MIT
# Dependencies come from pkg-config; a missing one names the Debian package that provides it.
find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

# rove_require_pkg(PREFIX module debian-package): imported target PkgConfig::PREFIX or a fatal error.
function(rove_require_pkg prefix module debpkg)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "missing dependency '${module}': install it with: apt-get install ${debpkg}")
  endif()
endfunction()
