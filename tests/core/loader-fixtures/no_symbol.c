/* Test plugin: a shared object without the descriptor symbol. */
#include "config.h"

int bluetti_not_a_descriptor(void);
int bluetti_not_a_descriptor(void) { return 42; }
