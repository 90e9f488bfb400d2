#include "boxes/pipe.h"
#include "boxes/download.h"
#include "util/strbuf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 8

struct pipe {
    struct download *d;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    unsigned char *blocks[RING];
    size_t caps[RING], lens[RING];
    size_t head, count;
    bool holding; /* the consumer holds blocks[head] */
    bool done, cancel;
    ssize_t status;
};

static void *produce(void *arg)
{
    struct pipe *p = arg;
    for (;;) {
        const void *buf;
        ssize_t n = download_read(p->d, &buf);
        pthread_mutex_lock(&p->lock);
        while (n > 0 && p->count == RING && !p->cancel)
            pthread_cond_wait(&p->changed, &p->lock);
        if (n <= 0 || p->cancel) {
            p->done = true;
            p->status = n < 0 ? -1 : 0;
            pthread_cond_broadcast(&p->changed);
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        size_t slot = (p->head + p->count) % RING;
        pthread_mutex_unlock(&p->lock);
        /* The slot is free: the consumer reads only filled slots. */
        if (p->caps[slot] < (size_t)n) {
            free(p->blocks[slot]);
            p->blocks[slot] = xmalloc((size_t)n);
            p->caps[slot] = (size_t)n;
        }
        memcpy(p->blocks[slot], buf, (size_t)n);
        p->lens[slot] = (size_t)n;
        pthread_mutex_lock(&p->lock);
        p->count++;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    }
}

struct pipe *pipe_start(struct download *d)
{
    struct pipe *p = xcalloc(1, sizeof *p);
    p->d = d;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    if (pthread_create(&p->thread, NULL, produce, p) != 0) {
        fputs("rove: cannot start a thread\n", stderr);
        abort();
    }
    return p;
}

ssize_t pipe_read(struct pipe *p, const void **buf)
{
    pthread_mutex_lock(&p->lock);
    if (p->holding) {
        p->head = (p->head + 1) % RING;
        p->count--;
        p->holding = false;
        pthread_cond_broadcast(&p->changed);
    }
    while (p->count == 0 && !p->done)
        pthread_cond_wait(&p->changed, &p->lock);
    ssize_t n = p->status;
    if (p->count > 0) {
        *buf = p->blocks[p->head];
        n = (ssize_t)p->lens[p->head];
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
    pthread_join(p->thread, NULL);
    for (size_t i = 0; i < RING; i++)
        free(p->blocks[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
}
