// The files the HTML page inlines, embedded into the binary at build time by
// cmake/embed_files.cmake (src/CMakeLists.txt lists them): Chart.js from Debian's libjs-chart.js,
// and the page's own script and style. None contains "</" (the build checks).
#pragma once

#include <string_view>

namespace offload::report::html_assets {

std::string_view chart_js_script();  // OFFLOAD_CHART_JS: /usr/share/javascript/chart.js/chart.min.js
std::string_view report_plots_script();  // src/report/html_report_plots.js: the plots' configurations
std::string_view report_script();    // src/report/html_report.js: lays out the payload, draws the plots
std::string_view report_style();     // src/report/html_report.css

}  // namespace offload::report::html_assets
