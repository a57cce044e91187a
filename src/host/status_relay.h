/* status_relay.h: the keepldr side of the status protocol, shared by the nil and kvm keeps. */
#ifndef BURH_HOST_STATUS_RELAY_H
#define BURH_HOST_STATUS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/keep_proto.h"

/* Both keeps write the same records (ready, running, exit) to keepldr; only how the bytes
 * arrive differs, so the caller reads into buf + len and this code does the rest. */
struct status_relay {
    int to_mgr;
    const char *source; /* who writes the records, named in log lines */
    void (*log)(const char *what, const char *detail);
    uint8_t buf[2 * BURH_PROTO_STATUS_MAX];
    size_t len;
    bool broken, ready;
    char reason[BURH_PROTO_REASON_MAX + 1]; /* from the keep's own "exit" record */
};

void status_relay_init(struct status_relay *r, int to_mgr, const char *source,
                       void (*log)(const char *what, const char *detail));

/* Decodes what has arrived, passing ready/running on; false when the keep broke the protocol. */
bool status_relay_decode(struct status_relay *r);

/* Writes one record to keepmgr's fd (errors are ignored: keepmgr also sees keepldr exit). */
void status_relay_send(int fd, const burh_keep_status *s);

#endif
