/* hashmap: malloc-heavy code, a chained hash map and a binary search tree of many nodes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;
    uint64_t value;
    struct entry *next;
} entry;

typedef struct map {
    entry **buckets;
    size_t nbuckets, count;
} map;

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211u;
    return h;
}

static void map_grow(map *m)
{
    size_t n = m->nbuckets ? m->nbuckets * 2 : 16;
    entry **b = calloc(n, sizeof *b);
    for (size_t i = 0; i < m->nbuckets; i++) {
        for (entry *e = m->buckets[i], *next; e; e = next) {
            next = e->next;
            size_t j = hash(e->key) % n;
            e->next = b[j];
            b[j] = e;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = n;
}

static void map_put(map *m, const char *key, uint64_t value)
{
    if (m->count >= m->nbuckets * 3 / 4)
        map_grow(m);
    size_t i = hash(key) % m->nbuckets;
    for (entry *e = m->buckets[i]; e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            e->value = value;
            return;
        }
    }
    entry *e = malloc(sizeof *e);
    e->key = strdup(key);
    e->value = value;
    e->next = m->buckets[i];
    m->buckets[i] = e;
    m->count++;
}

static entry *map_get(const map *m, const char *key)
{
    if (m->nbuckets == 0)
        return NULL;
    for (entry *e = m->buckets[hash(key) % m->nbuckets]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static int map_del(map *m, const char *key)
{
    entry **p = &m->buckets[hash(key) % m->nbuckets];
    for (; *p; p = &(*p)->next) {
        if (strcmp((*p)->key, key) == 0) {
            entry *e = *p;
            *p = e->next;
            free(e->key);
            free(e);
            m->count--;
            return 1;
        }
    }
    return 0;
}

typedef struct node {
    int64_t key;
    struct node *left, *right;
} node;

static node *tree_insert(node *t, int64_t key)
{
    node **p = &t;
    while (*p)
        p = key < (*p)->key ? &(*p)->left : &(*p)->right;
    *p = calloc(1, sizeof **p);
    (*p)->key = key;
    return t;
}

static void tree_walk(const node *t, uint64_t *sum, uint64_t *count, int64_t *prev, int *sorted)
{
    /* Iterative in-order walk: the tree may be deep, and the guest stack is small. */
    const node **stack = malloc(200000 * sizeof *stack);
    size_t sp = 0;
    while (t || sp) {
        while (t) {
            stack[sp++] = t;
            t = t->left;
        }
        t = stack[--sp];
        if (*count && t->key < *prev)
            *sorted = 0;
        *prev = t->key;
        *sum = *sum * 31 + (uint64_t)t->key;
        (*count)++;
        t = t->right;
    }
    free(stack);
}

static void tree_free(node *t)
{
    node **stack = malloc(200000 * sizeof *stack);
    size_t sp = 0;
    if (t)
        stack[sp++] = t;
    while (sp) {
        node *n = stack[--sp];
        if (n->left)
            stack[sp++] = n->left;
        if (n->right)
            stack[sp++] = n->right;
        free(n);
    }
    free(stack);
}

int main(void)
{
    map m = {0};
    char key[32];
    for (uint64_t i = 0; i < 50000; i++) {
        snprintf(key, sizeof key, "key-%llu", (unsigned long long)(i * 7919 % 100003));
        map_put(&m, key, i * i);
    }
    printf("map: %zu entries in %zu buckets\n", m.count, m.nbuckets);
    uint64_t found = 0, total = 0;
    for (uint64_t i = 0; i < 100003; i += 3) {
        snprintf(key, sizeof key, "key-%llu", (unsigned long long)i);
        entry *e = map_get(&m, key);
        if (e) {
            found++;
            total += e->value;
        }
    }
    printf("map: found %llu, value sum %llu\n", (unsigned long long)found,
           (unsigned long long)total);
    int deleted = 0;
    for (uint64_t i = 0; i < 100003; i += 2) {
        snprintf(key, sizeof key, "key-%llu", (unsigned long long)i);
        deleted += map_del(&m, key);
    }
    printf("map: deleted %d, %zu left\n", deleted, m.count);
    for (size_t i = 0; i < m.nbuckets; i++) {
        for (entry *e = m.buckets[i], *next; e; e = next) {
            next = e->next;
            free(e->key);
            free(e);
        }
    }
    free(m.buckets);

    node *t = NULL;
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        t = tree_insert(t, (int64_t)(x % 1000000007u) - 500000000);
    }
    uint64_t sum = 0, count = 0;
    int64_t prev = 0;
    int sorted = 1;
    tree_walk(t, &sum, &count, &prev, &sorted);
    printf("tree: %llu nodes, in order: %s, digest %016llx\n", (unsigned long long)count,
           sorted ? "yes" : "no", (unsigned long long)sum);
    tree_free(t);
    return 0;
}
