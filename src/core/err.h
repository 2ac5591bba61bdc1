/* err.h - the one error type of straits: 0 for success, negative codes for failure.
 * The codes and their messages come from one X-macro table, so they cannot drift. */
#ifndef STRAITS_ERR_H
#define STRAITS_ERR_H

/* X(name, code, message) */
#define ERR_MAP(X)                                                        \
  X(OK, 0, "success")                                                     \
  X(NOMEM, -1, "out of memory")                                           \
  X(IO, -2, "input/output error")                                         \
  X(INPUT, -3, "invalid input (see diagnostics)")                         \
  X(LIMIT, -4, "a size limit was reached")                                \
  X(STORE, -5, "results store error")                                     \
  X(THREAD, -6, "thread error")                                           \
  X(INTERRUPTED, -7, "interrupted")                                       \
  X(MISMATCH, -8, "stored run does not match this scenario or options")   \
  X(NOTFOUND, -9, "not found")                                            \
  X(USAGE, -10, "bad usage")                                              \
  X(RANGE, -11, "value out of range")

typedef enum err_code {
#define ERR__ENUM(name, code, msg) ERR_##name = (code),
  ERR_MAP(ERR__ENUM)
#undef ERR__ENUM
} err_code;

/* Static message for a code; never NULL ("unknown error" for a stranger). */
const char *err_strerror(int code);
/* Static symbolic name ("NOMEM"); never NULL. */
const char *err_name(int code);

/* Programmer errors abort loudly; user errors never reach these. */
#define BUG(msg) err__bug(__FILE__, __LINE__, (msg))
void err__bug(const char *file, int line, const char *msg);

/* Defensive checks that should never fire: assert in debug builds, plain test in
 * release builds (SQLite's ALWAYS/NEVER). */
#ifdef NDEBUG
#define ALWAYS(x) (x)
#define NEVER(x) (x)
#else
#define ALWAYS(x) ((x) ? 1 : (err__bug(__FILE__, __LINE__, "ALWAYS(" #x ")"), 0))
#define NEVER(x) ((x) ? (err__bug(__FILE__, __LINE__, "NEVER(" #x ")"), 1) : 0)
#endif

#endif
