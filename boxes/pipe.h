/* SPDX-License-Identifier: MIT */
/* Runs a download in its own thread, so that receiving and saving the partial file use one core
 * while unpacking uses another; when the download has a checksum to check, a third thread hashes
 * the blocks beside them. Blocks pass through a small ring (bounded memory); the consumer reads
 * them in order with pipe_read(). */
#ifndef ROVE_BOXES_PIPE_H
#define ROVE_BOXES_PIPE_H

#include <sys/types.h>

struct download;
struct pipe;

/* Starts reading d in a new thread. */
struct pipe *pipe_start(struct download *d);
/* The next block at *buf, valid until the next call: its size, 0 at the end, -1 when the
 * download failed (the download says why, once pipe_stop() returned). */
ssize_t pipe_read(struct pipe *p, const void **buf);
/* Stops the thread (at once when the consumer gave up early) and frees the pipe; afterwards the
 * download may be used from the calling thread again. */
void pipe_stop(struct pipe *p);

#endif
