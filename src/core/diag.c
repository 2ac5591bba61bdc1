/* diag.c - diagnostics: collect located messages, then print them compiler-style
 * with the offending source line and a caret under the column. */
#include "diag.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct diag_source {
  char *path;
  char *text;
  size_t len;
} diag_source;

struct diag {
  diag_entry *entry; /* stored entries, report order */
  size_t n, cap;
  size_t count[3];   /* per severity, dropped ones included */
  size_t dropped;    /* past DIAG_MAX_ENTRIES or lost to out-of-memory */
  diag_source *src;
  size_t nsrc, capsrc;
};

diag *diag_new(void) { return calloc(1, sizeof(diag)); }

void diag_free(diag *d) {
  if (!d) return;
  for (size_t i = 0; i < d->n; i++) {
    free((char *)d->entry[i].file);
    free((char *)d->entry[i].message);
  }
  free(d->entry);
  for (size_t i = 0; i < d->nsrc; i++) {
    free(d->src[i].path);
    free(d->src[i].text);
  }
  free(d->src);
  free(d);
}

static char *copy_string(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  if (c) memcpy(c, s, n);
  return c;
}

static diag_source *find_source(const diag *d, const char *path) {
  if (!path) return NULL;
  for (size_t i = 0; i < d->nsrc; i++)
    if (strcmp(d->src[i].path, path) == 0) return &d->src[i];
  return NULL;
}

int diag_add_source(diag *d, const char *path, const char *text, size_t len) {
  if (!d) return 0; /* as diag_report: no diagnostics wanted */
  char *copy = malloc(len + 1);
  if (!copy) return -1;
  if (len) memcpy(copy, text, len);
  copy[len] = '\0';
  diag_source *s = find_source(d, path);
  if (s) {
    free(s->text);
    s->text = copy;
    s->len = len;
    return 0;
  }
  if (d->nsrc == d->capsrc) {
    size_t cap = d->capsrc ? 2 * d->capsrc : 4;
    diag_source *grown = realloc(d->src, cap * sizeof *grown);
    if (!grown) {
      free(copy);
      return -1;
    }
    d->src = grown;
    d->capsrc = cap;
  }
  char *p = copy_string(path);
  if (!p) {
    free(copy);
    return -1;
  }
  d->src[d->nsrc++] = (diag_source){p, copy, len};
  return 0;
}

static char *format_message(const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  char *m = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (m) vsnprintf(m, (size_t)n + 1, fmt, again);
  va_end(again);
  return m;
}

static int grow_entries(diag *d) {
  if (d->n < d->cap) return 0;
  size_t cap = d->cap ? 2 * d->cap : 16;
  if (cap > DIAG_MAX_ENTRIES) cap = DIAG_MAX_ENTRIES;
  diag_entry *grown = realloc(d->entry, cap * sizeof *grown);
  if (!grown) return -1;
  d->entry = grown;
  d->cap = cap;
  return 0;
}

void diag_report(diag *d, diag_severity sev, const char *file, int line, int col,
                 const char *fmt, ...) {
  if (!d) return;
  if ((unsigned)sev <= DIAG_NOTE) d->count[sev]++;
  if (d->n >= DIAG_MAX_ENTRIES || grow_entries(d) != 0) {
    d->dropped++;
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  char *message = format_message(fmt, ap);
  va_end(ap);
  char *f = copy_string(file);
  if (!message || (file && !f)) {
    free(message);
    free(f);
    d->dropped++;
    return;
  }
  d->entry[d->n++] = (diag_entry){sev, f, line < 0 ? 0 : line, col < 0 ? 0 : col, message};
}

size_t diag_count(const diag *d, diag_severity sev) {
  return d && (unsigned)sev <= DIAG_NOTE ? d->count[sev] : 0;
}

size_t diag_size(const diag *d) { return d ? d->n : 0; }

const diag_entry *diag_at(const diag *d, size_t i) {
  return d && i < d->n ? &d->entry[i] : NULL;
}

/* ---- printing ----------------------------------------------------------------- */

/* Messages without a file sort first; then by path, line, column, and report
 * order (the index makes qsort stable). */
typedef struct sort_item {
  const diag_entry *e;
  size_t order;
} sort_item;

static int compare_location(const void *pa, const void *pb) {
  const sort_item *a = pa, *b = pb;
  const char *fa = a->e->file, *fb = b->e->file;
  if (fa != fb) {
    if (!fa) return -1;
    if (!fb) return 1;
    int c = strcmp(fa, fb);
    if (c) return c;
  }
  if (a->e->line != b->e->line) return a->e->line < b->e->line ? -1 : 1;
  if (a->e->col != b->e->col) return a->e->col < b->e->col ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

/* Find line `line` (1-based) of the source; its length excludes the newline. */
static const char *source_line(const diag_source *s, int line, size_t *len) {
  const char *p = s->text, *end = s->text + s->len;
  for (int l = 1; l < line; l++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return NULL;
    p = nl + 1;
  }
  if (p >= end && line > 1 && p[-1] == '\n') return NULL; /* past the last line */
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
  if (n && p[n - 1] == '\r') n--;
  *len = n;
  return p;
}

static int count_digits(int v) {
  int n = 1;
  while (v >= 10) {
    v /= 10;
    n++;
  }
  return n;
}

#define COLOR_BOLD "\033[1m"
#define COLOR_RED "\033[1;31m"
#define COLOR_MAGENTA "\033[1;35m"
#define COLOR_CYAN "\033[1;36m"
#define COLOR_GREEN "\033[1;32m"
#define COLOR_RESET "\033[0m"

/* A control byte (other than tab, which is copied) is shown escaped, as \x1b:
 * echoed raw, an ESC or BEL from a hostile file would drive the terminal. */
static int is_control(unsigned char ch) { return (ch < 0x20 && ch != '\t') || ch == 0x7f; }

void diag_put_escaped(FILE *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (is_control(ch))
      fprintf(out, "\\x%02x", ch);
    else
      fputc(ch, out);
  }
}

/* The caret sits under the col-th character: libyaml counts characters, not bytes,
 * so a UTF-8 sequence before it takes one column, a control byte the four of its
 * escape, and tabs are copied so the caret lines up whatever the terminal's tab
 * width is. */
static void print_caret(FILE *out, const char *text, size_t len, int col, int color) {
  size_t i = 0;
  for (int c = 1; c < col; c++) {
    if (i < len && text[i] == '\t') {
      fputc('\t', out);
    } else if (i < len && is_control((unsigned char)text[i])) {
      fputs("    ", out);
    } else {
      fputc(' ', out);
    }
    if (i < len) {
      i++;
      while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80) i++;
    }
  }
  fputs(color ? COLOR_GREEN "^" COLOR_RESET : "^", out);
}

static void print_location(FILE *out, const diag_entry *e) {
  if (!e->file) return;
  diag_put_escaped(out, e->file, strlen(e->file));
  if (e->line > 0) {
    fprintf(out, ":%d", e->line);
    if (e->col > 0) fprintf(out, ":%d", e->col);
  }
  fputs(": ", out);
}

static void print_entry(const diag *d, FILE *out, const diag_entry *e, int color) {
  static const char *const label[] = {"error", "warning", "note"};
  static const char *const hue[] = {COLOR_RED, COLOR_MAGENTA, COLOR_CYAN};
  if (color) fputs(COLOR_BOLD, out);
  print_location(out, e);
  if (color) fputs(hue[e->severity], out);
  fprintf(out, "%s:", label[e->severity]);
  if (color) fputs(COLOR_RESET COLOR_BOLD, out);
  fputc(' ', out);
  diag_put_escaped(out, e->message, strlen(e->message));
  if (color) fputs(COLOR_RESET, out);
  fputc('\n', out);

  const diag_source *s = find_source(d, e->file);
  size_t len = 0;
  const char *text = s && e->line > 0 ? source_line(s, e->line, &len) : NULL;
  if (!text) return;
  int width = count_digits(e->line);
  fprintf(out, " %*d | ", width, e->line);
  diag_put_escaped(out, text, len);
  fputc('\n', out);
  if (e->col <= 0) return;
  fprintf(out, " %*s | ", width, "");
  print_caret(out, text, len, e->col, color);
  fputc('\n', out);
}

static void print_plural(FILE *out, size_t n, const char *word) {
  fprintf(out, "%zu %s%s", n, word, n == 1 ? "" : "s");
}

static void print_summary(const diag *d, FILE *out) {
  size_t errors = d->count[DIAG_ERROR], warnings = d->count[DIAG_WARNING];
  if (d->dropped) fprintf(out, "%zu more not shown\n", d->dropped);
  if (!errors && !warnings) return;
  if (warnings) print_plural(out, warnings, "warning");
  if (warnings && errors) fputs(" and ", out);
  if (errors) print_plural(out, errors, "error");
  fputs(" generated\n", out);
}

void diag_print(const diag *d, FILE *out, int color) {
  if (!d || !out) return;
  sort_item *order = d->n ? malloc(d->n * sizeof *order) : NULL;
  if (order) {
    for (size_t i = 0; i < d->n; i++) order[i] = (sort_item){&d->entry[i], i};
    qsort(order, d->n, sizeof *order, compare_location);
    for (size_t i = 0; i < d->n; i++) print_entry(d, out, order[i].e, color);
  } else {
    /* No memory to sort: report order is still every message. */
    for (size_t i = 0; i < d->n; i++) print_entry(d, out, &d->entry[i], color);
  }
  free(order);
  print_summary(d, out);
}

/* ---- suggestions ---------------------------------------------------------------- */

/* Levenshtein distance, giving up (returning limit + 1) past limit. */
size_t diag_edit_distance(const char *a, const char *b, size_t limit) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return limit + 1;
  if ((la > lb ? la - lb : lb - la) > limit) return limit + 1;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t corner = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = corner + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      corner = up;
    }
  }
  return row[lb];
}

const char *diag_nearest(const char *word, const char *const *cand, size_t n) {
  size_t lw = strlen(word), best_d = 3;
  const char *best = NULL;
  for (size_t i = 0; i < n; i++) {
    size_t d = diag_edit_distance(word, cand[i], 2);
    if (d < best_d && d < lw) {
      best_d = d;
      best = cand[i];
    }
  }
  return best;
}

const char *diag_suggest(const char *word, const char *const *cand, size_t n) {
  const char *best = diag_nearest(word, cand, n);
  if (best) return best;
  size_t lw = strlen(word);
  for (size_t i = 0; i < n; i++) {
    size_t lc = strlen(cand[i]), shorter = lw < lc ? lw : lc;
    if (shorter >= 3 && strncmp(word, cand[i], shorter) == 0) return cand[i];
  }
  return NULL;
}
