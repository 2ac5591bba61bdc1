/* err.c - messages and names of the error codes, and the abort for programmer errors.
 * The only place in the library that writes to stderr. */
#include "err.h"

#include <stdio.h>
#include <stdlib.h>

const char *err_strerror(int code) {
  switch (code) {
#define ERR__MSG(name, c, msg) \
  case c:                      \
    return msg;
    ERR_MAP(ERR__MSG)
#undef ERR__MSG
  }
  return "unknown error";
}

const char *err_name(int code) {
  switch (code) {
#define ERR__NAME(name, c, msg) \
  case c:                       \
    return #name;
    ERR_MAP(ERR__NAME)
#undef ERR__NAME
  }
  return "UNKNOWN";
}

void err__bug(const char *file, int line, const char *msg) {
  /* A violated invariant: state may be corrupt, so say where and stop at once
   * (abort, not exit, so a core dump or the debugger shows the stack). */
  fprintf(stderr, "straits: BUG at %s:%d: %s\n", file ? file : "?", line,
          msg ? msg : "(no message)");
  fflush(stderr);
  abort();
}
