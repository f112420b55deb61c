/* bluetti — common definitions shared by every public header.
 *
 * Ownership conventions used throughout the API:
 *  - A function named *_new / *_open allocates; the matching *_free / *_close
 *    releases, and every *_free / *_close accepts NULL.
 *  - `const char *` and `const T *` results point into storage owned by the
 *    object they came from and stay valid as long as that object lives
 *    (or until the documented invalidating call). Never free them.
 *  - Strings passed in are copied unless a function says otherwise.
 *  - Schemas, profiles and transport tables registered by plugins are
 *    static data: the registry keeps pointers, never copies.
 */
#ifndef BLUETTI_COMMON_H
#define BLUETTI_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#if defined(BLUETTI_BUILDING_LIB) && defined(__GNUC__)
#  define BLUETTI_API __attribute__((visibility("default")))
#else
#  define BLUETTI_API
#endif

#if defined(__GNUC__)
#  define BLUETTI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define BLUETTI_PRINTF(f, a)
#endif

#ifdef __cplusplus
#  define BLUETTI_BEGIN_DECLS extern "C" {
#  define BLUETTI_END_DECLS }
#else
#  define BLUETTI_BEGIN_DECLS
#  define BLUETTI_END_DECLS
#endif

BLUETTI_BEGIN_DECLS

typedef struct bluetti_registry bluetti_registry;
typedef struct bluetti_options bluetti_options;
typedef struct bluetti_session bluetti_session;
typedef struct bluetti_device bluetti_device;
typedef struct bluetti_result bluetti_result;
typedef struct bluetti_logger bluetti_logger;

/* Library version as "MAJOR.MINOR.PATCH"; static string. */
BLUETTI_API const char *bluetti_version(void);

BLUETTI_END_DECLS
#endif
