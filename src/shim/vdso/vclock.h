/* vclock.h: the clock pages the shim publishes to the vDSO, and the arithmetic both sides use. */
#ifndef BURH_SHIM_VCLOCK_H
#define BURH_SHIM_VCLOCK_H

#include <stdint.h>

/*
 * The shim maps two pages just below the vDSO image: the data page (read-only to the payload,
 * written by the shim) and the state page (the payload's own, writable). Clocks run on the TSC:
 * the shim takes the host's monotonic and realtime clocks once, at the first clock request, and
 * everything after that is the TSC scaled by the rate the host gave at boot. So a host cannot
 * move the keep's clocks after that first reading except by changing the TSC itself, and a TSC
 * that goes back is answered with the last value given (monotonic stays monotonic).
 *
 * Arithmetic is unsigned throughout: a payload that scribbles over its state page gets wrong
 * times back, never undefined behaviour in the shim, which reads the same page.
 */
#define BURH_VCLOCK_PAGES 2u /* data page, state page; the vDSO image follows */

/* Host clock readings are accepted up to this many seconds (136 years): the sums below cannot
 * overflow with them. */
#define BURH_VCLOCK_SEC_MAX ((uint64_t)1 << 32)
/* Elapsed time from the TSC is capped at this (146 years), for the same reason. */
#define BURH_VCLOCK_ELAPSED_MAX ((uint64_t)1 << 62)

struct burh_vclock_data {
    uint64_t ready;        /* 1 once the fields below are set; 0: ask the shim (syscall) */
    uint64_t tsc_base;     /* the TSC when the host's clocks were read */
    uint64_t mult;         /* ns = ticks * mult >> 32 */
    uint64_t mono_base_ns; /* the host's CLOCK_MONOTONIC at tsc_base */
    uint64_t real_base_ns; /* the host's CLOCK_REALTIME at tsc_base */
};

struct burh_vclock_state {
    uint64_t mono_last_ns; /* the largest monotonic time handed out */
};

static inline uint64_t vclock_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The clocks the TSC serves: realtime, monotonic and their raw, coarse and boot-time variants
 * (one vCPU, never suspended, so they differ only in name). CPU-time clocks are not served. */
static inline int vclock_serves(int64_t clock_id)
{
    return clock_id >= 0 && clock_id <= 7 && clock_id != 2 && clock_id != 3;
}

static inline int vclock_is_realtime(int64_t clock_id)
{
    return clock_id == 0 || clock_id == 5;
}

/* Nanoseconds of the clock at TSC value tsc; updates the high-water mark in st. */
static inline uint64_t vclock_ns(const volatile struct burh_vclock_data *d,
                                 volatile struct burh_vclock_state *st, int realtime, uint64_t tsc)
{
    uint64_t base = d->tsc_base;
    uint64_t ticks = tsc > base ? tsc - base : 0;
    uint64_t elapsed = (uint64_t)(((unsigned __int128)ticks * d->mult) >> 32);
    if (elapsed > BURH_VCLOCK_ELAPSED_MAX)
        elapsed = BURH_VCLOCK_ELAPSED_MAX;
    uint64_t mono = d->mono_base_ns + elapsed, last = st->mono_last_ns;
    if (mono < last)
        mono = last; /* the TSC went back: time stands still instead */
    else
        st->mono_last_ns = mono;
    return realtime ? d->real_base_ns + (mono - d->mono_base_ns) : mono;
}

#endif /* BURH_SHIM_VCLOCK_H */
