# SPDX-License-Identifier: Apache-2.0
# Installation rules and the Debian package, included from the top-level CMakeLists.txt.
#   cmake --build build --target package
# builds everything the build directory builds (tests and benchmarks too, unless turned off),
# then makes build/logship_<version>_<arch>.deb. `cd build && cpack -G DEB` makes the same
# package from what is already built: with Ninja, cpack builds nothing itself.
#
# The unit, the pipeline file and the state directory have fixed absolute places (/etc,
# /lib/systemd/system, /var/lib/logship): the unit names /usr/bin/logship, so the package's
# prefix is /usr. A plain `cmake --install` therefore writes to /etc as well.
include(GNUInstallDirs)

set(LOGSHIP_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

configure_file(${LOGSHIP_PACKAGING_DIR}/logship.1.in ${CMAKE_CURRENT_BINARY_DIR}/logship.1 @ONLY)
# Debian ships man pages gzipped; -n keeps the name and time out of the archive (reproducible).
add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/logship.1.gz
  COMMAND sh -c "gzip -9nc logship.1 > logship.1.gz"
  DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/logship.1
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
  VERBATIM)
add_custom_target(logship_man ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/logship.1.gz)

install(TARGETS logship RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/logship.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${LOGSHIP_PACKAGING_DIR}/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${LOGSHIP_PACKAGING_DIR}/logship.yaml DESTINATION /etc/logship)
install(FILES ${LOGSHIP_PACKAGING_DIR}/logship.service DESTINATION /lib/systemd/system)

set(LOGSHIP_DEB_MAINTAINER "logship maintainers <maintainers@users.noreply.r-seed-2914e411.example>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME logship)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${LOGSHIP_DEB_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # logship_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${LOGSHIP_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "log shipper that checkpoints only what every sink acknowledged")
# The control file's Description: the summary above, then this text.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "logship tails log files, turns each line into a structured event with Elastic
Common Schema names, and ships it to its sinks. A file's checkpoint only moves
past a line once every sink has acknowledged it, so a crash at any moment loses
nothing.
.
This package runs it as the systemd service logship.service (user logship,
group adm) on /etc/logship/logship.yaml; it is not enabled on installation.")
# The shared libraries' packages come from dpkg-shlibdeps; the rest is what the binary or the
# maintainer scripts use without linking it: adduser (postinst), tzdata (time zones of the
# timestamp stage).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${LOGSHIP_PACKAGING_DIR}/deb/conffiles ${LOGSHIP_PACKAGING_DIR}/deb/postinst
    ${LOGSHIP_PACKAGING_DIR}/deb/prerm ${LOGSHIP_PACKAGING_DIR}/deb/postrm)
# 0755 for the scripts and 0644 for conffiles, whatever the checkout's modes are.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/\\\\.cache/")
include(CPack)
