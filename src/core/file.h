/* file.h - opening the files straits reads from users: regular files only.
 *
 * A FIFO with no writer blocks open() and read() for ever, and a device reads
 * without end; every input file (scenario, include, sweep, AIS replay, authorities
 * table, field) is opened here, without blocking, and checked with fstat before a
 * byte is read.  The FILE returned is the caller's to fclose. */
#ifndef STRAITS_FILE_H
#define STRAITS_FILE_H

#include <stddef.h>
#include <stdio.h>

/* path opened for reading if it is a regular file.  Otherwise NULL, with *kind
 * naming what it is ("a FIFO", "a folder", "a device", "a socket"), or *kind NULL
 * and errno set when it cannot be opened.  *size (may be NULL): its size in bytes. */
FILE *file_open_regular(const char *path, const char **kind, size_t *size);

#endif
