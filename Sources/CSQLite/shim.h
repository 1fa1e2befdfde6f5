#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer; Swift cannot import it.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/// Turns off SQLite's legacy acceptance of double-quoted string literals in DDL and DML, so a
/// misspelt column name is an error instead of a string. sqlite3_db_config() is variadic, which
/// Swift cannot call. Returns SQLITE_OK or the first error code.
static inline int csqlite_disable_double_quoted_strings(sqlite3 *_Nonnull db) {
    int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (void *)0);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (void *)0);
}
