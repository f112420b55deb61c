/* bluetti — umbrella header: everything a program needs. */
#ifndef BLUETTI_H
#define BLUETTI_H

#include <bluetti/common.h>
#include <bluetti/error.h>
#include <bluetti/log.h>
#include <bluetti/retry.h>
#include <bluetti/modbus.h>
#include <bluetti/schema.h>
#include <bluetti/decode.h>
#include <bluetti/profile.h>
#include <bluetti/options.h>
#include <bluetti/transport.h>
#include <bluetti/plugin.h>
#include <bluetti/registry.h>
#include <bluetti/session.h>

#endif
