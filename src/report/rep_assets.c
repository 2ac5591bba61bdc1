/* rep_assets.c - files built into the binary so a report is self-contained and
 * straits needs nothing at run time: vega.min.js (npm package vega, pinned in
 * package-lock.json), and the report's own script and style sheet.  The assembler's
 * .incbin copies each file as it is (NUL-terminated here); CMake passes the paths. */
#include "report.h"

#define REP__INCBIN(sym, path)                                                     \
  __asm__(".section .rodata\n"                                                     \
          ".global " #sym "\n"                                                     \
          ".type " #sym ", @object\n"                                              \
          ".balign 16\n" #sym ":\n"                                                \
          ".incbin \"" path "\"\n"                                                 \
          ".byte 0\n"                                                              \
          ".size " #sym ", . - " #sym "\n"                                         \
          ".previous\n")

REP__INCBIN(rep_report_js, STRAITS_REPORT_JS);
REP__INCBIN(rep_land_js, STRAITS_LAND_JS);
REP__INCBIN(rep_report_css, STRAITS_REPORT_CSS);

#ifdef STRAITS_VEGA_JS
REP__INCBIN(rep_vega_js, STRAITS_VEGA_JS);
const char rep_vega_version[] = STRAITS_VEGA_VERSION;
#else
/* Built without node_modules: rep_html refuses, saying how to get it. */
const char rep_vega_js[] = "";
const char rep_vega_version[] = "";
#endif
