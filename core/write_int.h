/* Writes: the value checks (write_value.c) and the write sequence
 * (write.c) the request state machine runs for a device: read before,
 * write, read back. Not installed. */
#ifndef BLUETTI_WRITE_INT_H
#define BLUETTI_WRITE_INT_H

#include <bluetti/bluetti.h>

typedef struct bluetti_device bluetti_device;

enum bt_wphase { W_NONE = 0, W_BEFORE, W_SEND, W_VERIFY };

struct bt_write {
    enum bt_wphase phase;    /* W_NONE: no write in progress */
    bool done;               /* the request that just completed was a write */
    bool blocking;
    uint8_t frame[9u + 2u * BLUETTI_WRITE_MAX_REGISTERS];
    size_t frame_len;
    /* field writes: judge the read-back by name */
    const bluetti_enum_name *read_names;
    const char *want_name;
    bluetti_write_result res;
};

/* The rules a field's write spec must follow (bluetti_schema_validate):
 * 0, or BLUETTI_E_SCHEMA with why filled. */
int bt_write_spec_check(const bluetti_block_schema *s, const bluetti_field *f, char *why,
                        size_t len);
/* The value names of field f of block as model p reads them (an
 * override's enums, else the field's). */
const bluetti_enum_name *bt_write_read_names(const bluetti_profile *p, uint16_t block,
                                             const bluetti_field *f);
/* The name of value in names, or NULL. */
const char *bt_write_name_of(const bluetti_enum_name *names, int64_t value);

/* The request machine's hooks (request.c calls them while d->w.phase != W_NONE). */
/* The read before or the read-back ended with err. */
void bt_write_read_done(bluetti_device *d, int err, const char *extra);
/* The write's reply: its verdict rc (bluetti_modbus_parse_write_reply). */
void bt_write_on_reply(bluetti_device *d, int rc, uint8_t exception_code);
/* No reply to the write (timeout, lost link): never resent; read back. */
void bt_write_lost(bluetti_device *d, int err);

#endif
