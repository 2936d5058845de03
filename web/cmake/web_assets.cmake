# Included from orchestrator/api/CMakeLists.txt: embeds the dashboard (web/src and the npm
# packages' dist files) into slipway_api and adds the routes that serve it.
#
# Every file under web/src is served at /static/<name> (index.html at /). The npm packages come
# from web/node_modules, installed by `scripts/setup --browser` (npm ci); when they are missing
# the build still succeeds, with a warning, and the dashboard reports the missing file instead of
# drawing the graph or chart. The glob re-runs CMake once they appear.
set(slipway_web_dir ${PROJECT_SOURCE_DIR}/web)
file(GLOB_RECURSE slipway_web_sources CONFIGURE_DEPENDS ${slipway_web_dir}/src/*.html ${slipway_web_dir}/src/*.js
     ${slipway_web_dir}/src/*.css ${slipway_web_dir}/src/*.svg)
list(SORT slipway_web_sources)
set(slipway_web_entries "")
set(slipway_web_depends "")
foreach(path IN LISTS slipway_web_sources)
  file(RELATIVE_PATH rel ${slipway_web_dir}/src ${path})
  if(rel STREQUAL "index.html")
    list(APPEND slipway_web_entries "/index.html=${path}")
  else()
    list(APPEND slipway_web_entries "/static/${rel}=${path}")
  endif()
  list(APPEND slipway_web_depends ${path})
endforeach()

# URL path under /static/vendor/ -> file in node_modules.
set(slipway_web_vendor
  "dagre.js=@dagrejs/dagre/dist/dagre.esm.js"
  "uplot.js=uplot/dist/uPlot.esm.js"
  "uplot.css=uplot/dist/uPlot.min.css")
foreach(pair IN LISTS slipway_web_vendor)
  string(REPLACE "=" ";" parts "${pair}")
  list(GET parts 0 name)
  list(GET parts 1 rel)
  set(path ${slipway_web_dir}/node_modules/${rel})
  file(GLOB found CONFIGURE_DEPENDS ${path})
  if(found)
    list(APPEND slipway_web_entries "/static/vendor/${name}=${path}")
    list(APPEND slipway_web_depends ${path})
  else()
    message(WARNING "dashboard: ${path} is missing (run scripts/setup --browser); /static/vendor/${name} will be 404")
  endif()
endforeach()

string(REPLACE ";" "|" slipway_web_arg "${slipway_web_entries}")
set(slipway_web_cc ${CMAKE_CURRENT_BINARY_DIR}/embedded_web_assets.cc)
add_custom_command(
  OUTPUT ${slipway_web_cc}
  COMMAND ${CMAKE_COMMAND} -DKIND=web -DOUTPUT=${slipway_web_cc} -DFILES=${slipway_web_arg}
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
  DEPENDS ${slipway_web_depends} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
  COMMENT "Embedding the dashboard"
  VERBATIM)
target_sources(slipway_api PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/web_routes.cc ${slipway_web_cc})
target_include_directories(slipway_api PRIVATE ${slipway_web_dir}/embed)
