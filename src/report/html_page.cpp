// The HTML page (html_report.hpp): a fixed skeleton around the payload and the embedded assets.
// A Content-Security-Policy of default-src 'none' makes the browser refuse any request the page
// might make, so "opens offline" holds by construction, not by care.
#include <string>

#include "report/html_assets.hpp"
#include "report/html_report.hpp"

namespace offload::report {
namespace {

std::string escape_html(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

// Every '<' as \u003c, which JSON reads the same (a '<' occurs only inside its strings): no text
// can then end the <script> element ("</script") or switch the HTML tokenizer's state ("<!--").
std::string script_safe(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (const char ch : json) {
    if (ch == '<') out += "\\u003c";
    else out += ch;
  }
  return out;
}

}  // namespace

std::string html_page(const std::string& title, const std::string& payload_json) {
  std::string page;
  page.reserve(payload_json.size() + html_assets::chart_js_script().size() + 64 * 1024);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"generator\" content=\"offload-bench, Chart.js ";
  page += OFFLOAD_CHART_JS_VERSION;
  page += "\">\n<title>";
  page += escape_html(title);
  page += "</title>\n<style>\n";
  page += html_assets::report_style();
  page += "</style>\n</head>\n<body>\n<noscript>This report draws its plots with JavaScript; "
          "enable it to see them.</noscript>\n<main id=\"report\" aria-busy=\"true\"><h1>";
  page += escape_html(title);
  page += "</h1></main>\n<script type=\"application/json\" id=\"payload\">";
  page += script_safe(payload_json);
  page += "</script>\n<script>\n";
  page += html_assets::chart_js_script();
  page += "\n</script>\n<script>\n";
  page += html_assets::report_plots_script();
  page += "</script>\n<script>\n";
  page += html_assets::report_script();
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace offload::report
