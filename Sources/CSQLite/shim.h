#ifndef OCSP_RESPONDER_CSQLITE_SHIM_H
#define OCSP_RESPONDER_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast of -1 to a function pointer, a macro Swift cannot import:
/// binding with it makes SQLite copy the value before the call returns.
static inline sqlite3_destructor_type csqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// The extended result codes are macros built with `|` and `<<`, which Swift does not import.
static const int CSQLITE_CONSTRAINT_PRIMARYKEY = SQLITE_CONSTRAINT_PRIMARYKEY;

#endif
