/* ops_sections.c - the mission sections' loaders as scn_load takes them (ops.h:
 * ops_load_options), in the order the loader reads them after the common sections:
 * inspection, logistics, sar.  The registry (ops.c) will absorb this table. */
#include "ops.h"
#include "scn_inspection.h"
#include "scn_logistics.h"
#include "scn_sar.h"

void ops_load_options(scn_load_options *opt) {
  static const scn_section *const sections[] = {&insp_section, &log_section, &sar_section};
  opt->sections = sections;
  opt->nsections = sizeof sections / sizeof *sections;
}
