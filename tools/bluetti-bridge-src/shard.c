/* Sharding: N bridges split a fleet with no coordination, each polling
 * the serials that hash to its K (FNV-1a, the helper library's, so the
 * split is the same on every machine and every version). */
#include "config.h"

#include "bridge.h"

#include "bt_numbers.h"
#include "bt_strindex.h"

#include <string.h>

int br_shard_parse(const char *s, unsigned *k, unsigned *n, const char **why)
{
    /* K:N too: systemd instance names (bluetti-bridge@0:3) cannot hold '/' */
    const char *slash = s ? strpbrk(s, "/:") : NULL;
    char a[24], b[24];
    if (!slash || (size_t)(slash - s) >= sizeof a || strlen(slash + 1) >= sizeof b) {
        *why = "expected K/N (or K:N), e.g. 0/3: this instance is number K, from 0, of N";
        return -1;
    }
    memcpy(a, s, (size_t)(slash - s));
    a[slash - s] = '\0';
    strcpy(b, slash + 1);
    long kk, nn;
    if (bt_parse_whole(a, false, &kk) != BT_NUM_OK || bt_parse_whole(b, false, &nn) != BT_NUM_OK ||
        nn < 1 || nn > 1024 || kk < 0) {
        *why = "expected K/N with whole numbers, N from 1 to 1024, e.g. 0/3";
        return -1;
    }
    if (kk >= nn) {
        *why = "K counts from 0 and must be below N, e.g. 0/3, 1/3 and 2/3";
        return -1;
    }
    *k = (unsigned)kk;
    *n = (unsigned)nn;
    return 0;
}

bool br_shard_owns(const char *serial, unsigned k, unsigned n)
{
    return n <= 1 || bt_str_hash(serial) % n == k;
}
