//! Black-box scenarios over HTTP, each on SQLite and on PostgreSQL.

mod smoke;
