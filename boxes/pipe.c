/* SPDX-License-Identifier: MIT */
#include "util/log.h"
#include "boxes/pipe.h"
#include "boxes/checksum.h"
#include "boxes/download.h"
#include "util/strbuf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 8

/* Blocks are numbered from 0 in stream order; block n lives in slot n % RING. A slot is free
 * again once both the consumer and the hasher are past its block. */
struct pipe {
    struct download *d;
    pthread_t producer, hashing;
    struct box_hasher *hasher; /* borrowed from the download; NULL: no hashing thread */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    unsigned char *blocks[RING];
    size_t caps[RING], lens[RING];
    uint64_t produced, consumed, hashed;
    bool holding; /* the consumer holds block `consumed` */
    bool done, cancel;
    ssize_t status;
};

static void fail_thread(int err)
{
    die("cannot start a thread: %s", strerror(err));
}

/* The oldest block someone still needs; a consumer that gave up needs none. */
static uint64_t oldest_in_use(const struct pipe *p)
{
    uint64_t oldest = p->cancel ? p->produced : p->consumed;
    return p->hasher && p->hashed < oldest ? p->hashed : oldest;
}

/* Marks the end of the stream; called with the lock held. */
static void *finish_producing(struct pipe *p, ssize_t status)
{
    p->done = true;
    p->status = status;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Every block read goes into the ring, even after a cancel, so the hasher sees all of them. */
static void *produce(void *arg)
{
    struct pipe *p = arg;
    for (;;) {
        const void *buf;
        ssize_t n = download_read(p->d, &buf);
        pthread_mutex_lock(&p->lock);
        if (n <= 0)
            return finish_producing(p, n < 0 ? -1 : 0);
        while (p->produced - oldest_in_use(p) == RING)
            pthread_cond_wait(&p->changed, &p->lock);
        size_t slot = p->produced % RING;
        pthread_mutex_unlock(&p->lock);
        /* The slot is free: the others read only produced blocks. */
        if (p->caps[slot] < (size_t)n) {
            free(p->blocks[slot]);
            p->blocks[slot] = xmalloc((size_t)n);
            p->caps[slot] = (size_t)n;
        }
        memcpy(p->blocks[slot], buf, (size_t)n);
        p->lens[slot] = (size_t)n;
        pthread_mutex_lock(&p->lock);
        p->produced++;
        if (p->cancel)
            return finish_producing(p, 0);
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    }
}

/* Hashing on its own thread: receiving and saving take one core, unpacking another, and a
 * SHA-256 of a large box is a core's second per GiB that neither has to spare. It hashes every
 * block produced, so the digest covers all the download read, even after a cancel. */
static void *hash_blocks(void *arg)
{
    struct pipe *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->hashed == p->produced && !p->done)
            pthread_cond_wait(&p->changed, &p->lock);
        if (p->hashed == p->produced)
            break;
        size_t slot = p->hashed % RING;
        pthread_mutex_unlock(&p->lock);
        box_hasher_update(p->hasher, p->blocks[slot], p->lens[slot]);
        pthread_mutex_lock(&p->lock);
        p->hashed++;
        pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct pipe *pipe_start(struct download *d)
{
    struct pipe *p = xcalloc(1, sizeof *p);
    p->d = d;
    p->hasher = download_lend_hasher(d);
    int err;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    if ((err = pthread_create(&p->producer, NULL, produce, p)) != 0)
        fail_thread(err);
    if (p->hasher && (err = pthread_create(&p->hashing, NULL, hash_blocks, p)) != 0)
        fail_thread(err);
    return p;
}

ssize_t pipe_read(struct pipe *p, const void **buf)
{
    pthread_mutex_lock(&p->lock);
    if (p->holding) {
        p->consumed++;
        p->holding = false;
        pthread_cond_broadcast(&p->changed);
    }
    while (p->consumed == p->produced && !p->done)
        pthread_cond_wait(&p->changed, &p->lock);
    ssize_t n = p->status;
    if (p->consumed < p->produced) {
        size_t slot = p->consumed % RING;
        *buf = p->blocks[slot];
        n = (ssize_t)p->lens[slot];
        p->holding = true;
    }
    pthread_mutex_unlock(&p->lock);
    return n;
}

void pipe_stop(struct pipe *p)
{
    pthread_mutex_lock(&p->lock);
    p->cancel = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->producer, NULL);
    if (p->hasher) {
        pthread_join(p->hashing, NULL);
        download_return_hasher(p->d, p->hasher);
    }
    for (size_t i = 0; i < RING; i++)
        free(p->blocks[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
}
