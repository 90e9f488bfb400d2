/* SPDX-License-Identifier: MIT */
#include "machine/yaml_expansion.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

uint64_t yaml_expansion_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool exceeds(struct yaml_expansion size, struct yaml_expansion max)
{
    return size.nodes > max.nodes || size.bytes > max.bytes;
}

/* Children of a node in the order the reader visits them: a mapping's key, then its value. */
static size_t child_count(const yaml_node_t *node)
{
    if (node->type == YAML_SEQUENCE_NODE)
        return (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    if (node->type == YAML_MAPPING_NODE)
        return 2 * (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    return 0;
}

static int child_index(const yaml_node_t *node, size_t i)
{
    if (node->type == YAML_SEQUENCE_NODE)
        return node->data.sequence.items.start[i];
    const yaml_node_pair_t *pair = &node->data.mapping.pairs.start[i / 2];
    return i % 2 ? pair->value : pair->key;
}

static void check_scalar(struct yaml_walk *w, yaml_node_t *node)
{
    if (strlen((const char *)node->data.scalar.value) != node->data.scalar.length)
        yw_error(w, node, "this value holds a NUL character (\\0), which rove cannot pass on");
}

enum visit { UNSEEN, OPEN, DONE };

/* One node on the depth-first stack: the stack, not recursion, because a 1 MiB file can nest a
 * few hundred thousand levels deep. */
struct frame {
    int index;
    size_t next;               /* next child to add */
    struct yaml_expansion sum; /* so far */
    bool child_exceeds;
};

struct measure {
    struct yaml_walk *w;
    struct yaml_expansion max, *sizes;
    enum visit *state;
    struct frame *stack;
    size_t depth;
};

static void push(struct measure *m, int index)
{
    yaml_node_t *node = yw_node(m->w, index);
    m->state[index - 1] = OPEN;
    struct yaml_expansion self = {1, 0};
    if (node->type == YAML_SCALAR_NODE) {
        check_scalar(m->w, node);
        self.bytes = node->data.scalar.length;
    }
    m->stack[m->depth++] = (struct frame){.index = index, .sum = self};
}

static const char *node_noun(const yaml_node_t *node)
{
    if (node->type == YAML_MAPPING_NODE)
        return "mapping";
    return node->type == YAML_SEQUENCE_NODE ? "list" : "value";
}

/* Finishes the top frame into its parent. False after reporting the innermost node too large. */
static bool pop(struct measure *m)
{
    struct frame *f = &m->stack[--m->depth];
    yaml_node_t *node = yw_node(m->w, f->index);
    bool over = exceeds(f->sum, m->max);
    if (over && !f->child_exceeds) {
        yw_error(m->w, node,
                 "this %s expands through aliases to %llu YAML nodes and %llu bytes of text, "
                 "more than a machinefile may hold (%llu nodes, %llu bytes)",
                 node_noun(node), (unsigned long long)f->sum.nodes,
                 (unsigned long long)f->sum.bytes, (unsigned long long)m->max.nodes,
                 (unsigned long long)m->max.bytes);
        return false;
    }
    m->sizes[f->index - 1] = f->sum;
    m->state[f->index - 1] = DONE;
    if (m->depth) {
        struct frame *parent = &m->stack[m->depth - 1];
        parent->sum.nodes = yaml_expansion_add(parent->sum.nodes, f->sum.nodes);
        parent->sum.bytes = yaml_expansion_add(parent->sum.bytes, f->sum.bytes);
        parent->child_exceeds |= over;
    }
    return true;
}

/* Takes the next step from the top frame: descends into an unseen child, adds a measured one, or
 * finishes the frame. False after an error. */
static bool step(struct measure *m)
{
    struct frame *f = &m->stack[m->depth - 1];
    yaml_node_t *node = yw_node(m->w, f->index);
    if (f->next == child_count(node))
        return pop(m);
    int child = child_index(node, f->next++);
    switch (m->state[child - 1]) {
    case UNSEEN:
        push(m, child);
        return true;
    case OPEN:
        yw_error(m->w, yw_node(m->w, child),
                 "an alias refers to this node from inside it: it would expand without end");
        return false;
    case DONE:
        f->sum.nodes = yaml_expansion_add(f->sum.nodes, m->sizes[child - 1].nodes);
        f->sum.bytes = yaml_expansion_add(f->sum.bytes, m->sizes[child - 1].bytes);
        f->child_exceeds |= exceeds(m->sizes[child - 1], m->max);
        return true;
    }
    return false;
}

bool yaml_expansion_measure(struct yaml_walk *w, struct yaml_expansion max,
                            struct yaml_expansion **sizes)
{
    size_t count = (size_t)(w->doc->nodes.top - w->doc->nodes.start);
    size_t errors = w->errs->count;
    struct measure m = {
        .w = w,
        .max = max,
        .sizes = xcalloc(count + 1, sizeof *m.sizes),
        .state = xcalloc(count + 1, sizeof *m.state),
        .stack = xcalloc(count + 1, sizeof *m.stack),
    };
    bool ok = true;
    for (size_t i = 1; i <= count && ok; i++) {
        if (m.state[i - 1] != UNSEEN)
            continue;
        push(&m, (int)i);
        while (m.depth && ok)
            ok = step(&m);
    }
    free(m.state);
    free(m.stack);
    if (!ok || w->errs->count != errors) {
        free(m.sizes);
        return false;
    }
    *sizes = m.sizes;
    return true;
}

struct yaml_expansion yaml_expansion_of(const struct yaml_walk *w, const yaml_node_t *node)
{
    return w->sizes[node - w->doc->nodes.start];
}
