//! The two database schemas match, and the committed OpenAPI document matches the code.

use std::collections::BTreeSet;

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use scenario_tests::{Backend, TestDb};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    nullable: String,
}

/// (table, column, nullable) of every application table, migrated on `backend`.
fn columns(backend: Backend) -> BTreeSet<(String, String, bool)> {
    let db = TestDb::create(backend);
    let pool = storage::connect(&db.url, 1).unwrap();
    let mut conn = storage::checkout(&pool).unwrap();
    storage::migrate(&mut conn).unwrap();
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name,
                    CASE WHEN p.\"notnull\" = 1 OR p.pk = 1 THEN 'NO' ELSE 'YES' END AS nullable
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'
               -- the search index: here an FTS5 table and its shadow tables, there a
               -- table for trigram indexes; an index rather than data, built differently
               AND m.name NOT LIKE 'contacts\\_search%' ESCAPE '\\'"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, is_nullable::text AS nullable
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
               AND table_name <> 'contacts_search'"
        }
    };
    diesel::sql_query(sql)
        .load::<Column>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|c| (c.table_name, c.column_name, c.nullable == "YES"))
        .collect()
}

#[test]
fn both_backends_have_the_same_tables_and_columns() {
    if !Backend::postgres_available() {
        return;
    }
    let sqlite = columns(Backend::Sqlite);
    let postgres = columns(Backend::Postgres);
    assert!(sqlite
        .iter()
        .any(|(t, c, _)| t == "events" && c == "payload"));
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "schemas differ\nonly in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_postgres:?}"
    );
}

#[test]
fn both_migration_folders_have_the_same_versions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let versions = |backend: &str| -> BTreeSet<String> {
        std::fs::read_dir(root.join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(versions("sqlite"), versions("postgres"));
}

#[test]
fn the_committed_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let current = api::openapi().to_pretty_json().unwrap();
    assert!(
        committed.trim_end() == current.trim_end(),
        "openapi/openapi.json is out of date: run `make openapi` and commit it"
    );
}
