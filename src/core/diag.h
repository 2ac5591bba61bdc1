/* diag.h - diagnostics: located messages about user input, collected in one pass.
 *
 * A diag is owned by whoever creates it (never global: the Monte Carlo runner is
 * threaded).  Strings passed in are copied.  Lines and columns are 1-based (libyaml's
 * marks are 0-based: callers add one); 0 means "unknown". */
#ifndef STRAITS_DIAG_H
#define STRAITS_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_severity;

typedef struct diag_entry {
  diag_severity severity;
  const char *file; /* may be NULL for messages not about a file */
  int line, col;    /* 1-based, 0 if unknown */
  const char *message;
} diag_entry;

typedef struct diag diag;

/* Caps: past DIAG_MAX_ENTRIES further messages are counted, not stored. */
#define DIAG_MAX_ENTRIES 1000

diag *diag_new(void);
void diag_free(diag *d); /* NULL is a no-op */

/* Register a file's text so that diag_print can quote the offending line.  The text
 * is copied.  Registering the same path twice replaces the text. */
int diag_add_source(diag *d, const char *path, const char *text, size_t len);

/* Record one message; fmt is printf-style.  Messages are lower case, no trailing
 * full stop, offending values quoted.  Never fails visibly: on out-of-memory the
 * message is counted but lost. */
void diag_report(diag *d, diag_severity sev, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

size_t diag_count(const diag *d, diag_severity sev); /* includes dropped ones */
size_t diag_size(const diag *d);                     /* stored entries */
const diag_entry *diag_at(const diag *d, size_t i);  /* in report order */

/* "Did you mean" for a misspelt name: the candidate within two edits (and fewer
 * edits than the word has letters), else one that shares a prefix of at least three
 * letters with it ("expo" -> "exponential"); NULL if none.  Returns a cand entry. */
const char *diag_suggest(const char *word, const char *const *cand, size_t n);
/* The first part of diag_suggest alone: the nearest candidate within two edits. */
const char *diag_nearest(const char *word, const char *const *cand, size_t n);
/* Levenshtein distance between a and b, or limit + 1 once it exceeds limit. */
size_t diag_edit_distance(const char *a, const char *b, size_t limit);

/* Write every message, sorted by (file, line, col) and stable otherwise, as
 *   file:line:col: error: message
 *    14 |     delay: {dist: expo, mean: 5d}
 *       |                   ^
 * and a closing "N errors" line when there are any.  color: ANSI colors if nonzero. */
void diag_print(const diag *d, FILE *out, int color);

/* Write n bytes of s with control bytes (other than tab) shown as \x1b, as
 * diag_print writes everything it quotes: text from a hostile file must not drive
 * the terminal.  For the command's own messages that quote user input. */
void diag_put_escaped(FILE *out, const char *s, size_t n);

#endif
