/* file.c - open an input file only if it is a regular file (file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_kind(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISDIR(m)) return "a folder";
  if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

FILE *file_open_regular(const char *path, const char **kind, size_t *size) {
  *kind = NULL;
  /* O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a
   * writer; for a regular file it changes nothing. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return NULL;
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return NULL;
  }
  if (!S_ISREG(sb.st_mode)) {
    *kind = file_kind(sb.st_mode);
    close(fd);
    return NULL;
  }
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    int e = errno;
    close(fd);
    errno = e;
    return NULL;
  }
  if (size)
    *size = sb.st_size < 0 ? 0
            : (uintmax_t)sb.st_size > SIZE_MAX ? SIZE_MAX : (size_t)sb.st_size;
  return f;
}
