# `cmake --install` and a Debian package (`cpack -G DEB`): the three programs, systemd units,
# the configuration in /etc/slipway/ (kept on upgrade) and maintainer scripts that create the
# service users. Paths follow the FHS when installed with CMAKE_INSTALL_PREFIX=/usr.
include(GNUInstallDirs)

install(TARGETS slipwayd slipway-agent slipway RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES packaging/systemd/slipwayd.service packaging/systemd/slipway-agent.service
        DESTINATION lib/systemd/system)
install(FILES packaging/slipwayd.yml packaging/agent.env DESTINATION /etc/slipway)
install(FILES README.md docs/install.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(PROGRAMS examples/git-hooks/post-receive DESTINATION ${CMAKE_INSTALL_DATADIR}/slipway/git-hooks)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME slipway)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Slipway maintainers <maintainers@slipway.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "CI/CD orchestrator for multi-stage container image builds")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "git, adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "docker.io, docker-buildx, openssh-client")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/prerm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
