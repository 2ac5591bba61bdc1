/* scn_internal.h - what is private to the scenario loader's own files (scenario/):
 * the YAML parser, includes and overrides, and the common sections' loaders.  The
 * loader API that mission loaders share is scn_section.h. */
#ifndef STRAITS_SCN_INTERNAL_H
#define STRAITS_SCN_INTERNAL_H

#include "scn_section.h"

/* ---- yaml_tree.c ---------------------------------------------------------------- */

/* Parse one file's text into a tree, counting nodes against opt->max_nodes.  NULL
 * after a fatal problem (syntax error, caps, bad alias), already reported.  An empty
 * file gives an empty mapping. */
scn__node *scn__parse_yaml(scn__ctx *c, const char *file, const char *text, size_t len);

/* ---- load_compose.c ------------------------------------------------------------- */

/* The main file with its includes merged in, or NULL (reported). */
scn__node *scn__compose(scn__ctx *c, const char *path);
/* Apply opt->overrides to the tree in place (copy on write along each path). */
void scn__apply_overrides(scn__ctx *c, scn__node **root);

/* ---- the sections ----------------------------------------------------------------- */

void scn__load_theater(scn__ctx *c, const scn__node *theater);
void scn__load_forces(scn__ctx *c, const scn__node *forces);
void scn__load_crisis(scn__ctx *c, const scn__node *crisis);
/* load_crisis.c: resolve the ladder's `phase:` / `task:` multipliers (after the plan). */
void scn__resolve_escalation_plan(scn__ctx *c);
/* load_plan.c: both sections at once (either may be NULL), after the crisis. */
void scn__load_plan(scn__ctx *c, const scn__node *situations, const scn__node *plan);

/* load_objectives.c: the `objectives:` section. */
void scn__load_objectives(scn__ctx *c, const scn__node *objectives);

#endif
