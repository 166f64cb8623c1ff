//! `guests/sqldb` (world `example:database/database-component`): SQL round trips on
//! SQLite inside the component, typed columns, bound parameters, SQLite's own error
//! messages, and a file database that survives a restart of the component.

mod common;

use anyhow::Result;
use common::{call, err, handle, ok, session, session_with};
use serde_json::{Value, json};
use weft_runtime::{Capabilities, Preopen, Session};

/// Opens a `db` in `session` and returns its handle name.
fn open(session: &mut Session, url: &str) -> Result<String> {
    handle(call(session, "db", json!([url]))?)
}

fn execute(session: &mut Session, db: &str, sql: &str, params: Value) -> Result<Value> {
    call(session, &format!("{db}.execute"), json!([sql, params]))
}

/// Runs `sql` with `params`, which must succeed; returns the affected row count.
fn execute_ok(session: &mut Session, db: &str, sql: &str, params: Value) -> Result<Value> {
    ok(execute(session, db, sql, params)?)
}

fn query(session: &mut Session, db: &str, sql: &str, params: Value) -> Result<Value> {
    call(session, &format!("{db}.query"), json!([sql, params]))
}

/// One row's columns as `(name, value)` pairs, values in the JSON form of `sql-value`.
fn columns(row: &Value) -> Vec<(String, Value)> {
    row["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_owned(),
                c["value"].clone(),
            )
        })
        .collect()
}

#[test]
fn round_trip_with_typed_columns() -> Result<()> {
    let mut session = session(weft_test_guests::SQLDB)?;
    let db = open(&mut session, ":memory:")?;
    let created = execute(
        &mut session,
        &db,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER, score REAL, avatar BLOB)",
        json!([]),
    )?;
    assert_eq!(ok(created)?, json!(0));
    for (name, age) in [("Ada", "36"), ("Grace", "45"), ("Linus", "17")] {
        let inserted = execute(
            &mut session,
            &db,
            "INSERT INTO users (name, age, score) VALUES (?1, ?2, ?2 / 2.0)",
            json!([name, age]),
        )?;
        assert_eq!(ok(inserted)?, json!(1));
    }
    // The seed's own query: string parameters compare numerically through column affinity.
    let rows = ok(query(
        &mut session,
        &db,
        "SELECT id, name, age, score, avatar FROM users WHERE age > $1 ORDER BY id",
        json!(["18"]),
    )?)?;
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        columns(&rows[0]),
        vec![
            ("id".to_owned(), json!({"tag": "integer", "val": 1})),
            ("name".to_owned(), json!({"tag": "text", "val": "Ada"})),
            ("age".to_owned(), json!({"tag": "integer", "val": 36})),
            ("score".to_owned(), json!({"tag": "real", "val": 18.0})),
            ("avatar".to_owned(), json!({"tag": "null"})),
        ]
    );
    assert_eq!(
        columns(&rows[1])[1].1,
        json!({"tag": "text", "val": "Grace"})
    );

    let updated = execute(
        &mut session,
        &db,
        "UPDATE users SET age = age + 1 WHERE age < ?",
        json!(["40"]),
    )?;
    assert_eq!(ok(updated)?, json!(2));
    let report = session.finish();
    assert!(report.leaked.is_empty(), "{report:?}");
    Ok(())
}

#[test]
fn parameters_are_bound_not_spliced() -> Result<()> {
    let mut session = session(weft_test_guests::SQLDB)?;
    let db = open(&mut session, "")?;
    execute_ok(&mut session, &db, "CREATE TABLE t (v TEXT)", json!([]))?;
    let hostile = "x'); DROP TABLE t; --";
    execute_ok(
        &mut session,
        &db,
        "INSERT INTO t VALUES (?)",
        json!([hostile]),
    )?;
    let rows = ok(query(
        &mut session,
        &db,
        "SELECT v FROM t WHERE v = :v",
        json!([hostile]),
    )?)?;
    assert_eq!(
        columns(&rows[0]),
        vec![("v".to_owned(), json!({"tag": "text", "val": hostile}))]
    );
    Ok(())
}

#[test]
fn typed_parameters_carry_every_sql_value() -> Result<()> {
    let mut session = session(weft_test_guests::SQLDB)?;
    let db = open(&mut session, ":memory:")?;
    execute_ok(
        &mut session,
        &db,
        "CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n)",
        json!([]),
    )?;
    let values = json!([
        {"tag": "integer", "val": i64::MIN.to_string()},
        {"tag": "real", "val": -0.5},
        {"tag": "text", "val": "héllo"},
        {"tag": "blob", "val": [0, 1, 254, 255]},
        {"tag": "null"},
    ]);
    let inserted = call(
        &mut session,
        &format!("{db}.execute-typed"),
        json!(["INSERT INTO v VALUES (?, ?, ?, ?, ?)", values]),
    )?;
    assert_eq!(ok(inserted)?, json!(1));
    let rows = ok(call(
        &mut session,
        &format!("{db}.query-typed"),
        json!(["SELECT i, r, t, b, n, typeof(b) AS kind FROM v WHERE b = ?", [{"tag": "blob", "val": [0, 1, 254, 255]}]]),
    )?)?;
    let got: Vec<Value> = columns(&rows[0]).into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        got,
        vec![
            // Beyond 2^53 a 64-bit integer travels as a decimal string.
            json!({"tag": "integer", "val": i64::MIN.to_string()}),
            json!({"tag": "real", "val": -0.5}),
            json!({"tag": "text", "val": "héllo"}),
            json!({"tag": "blob", "val": [0, 1, 254, 255]}),
            json!({"tag": "null"}),
            json!({"tag": "text", "val": "blob"}),
        ]
    );
    Ok(())
}

#[test]
fn sql_errors_carry_the_engine_message() -> Result<()> {
    let mut session = session(weft_test_guests::SQLDB)?;
    let db = open(&mut session, ":memory:")?;
    let message = err(query(
        &mut session,
        &db,
        "SELECT * FROM missing",
        json!([]),
    )?)?;
    assert!(message.contains("no such table: missing"), "{message}");
    let message = err(execute(&mut session, &db, "SELEC 1", json!([]))?)?;
    assert!(
        message.contains("near \"SELEC\": syntax error"),
        "{message}"
    );
    let message = err(execute(&mut session, &db, "CREATE TABLE", json!([]))?)?;
    assert!(message.contains("incomplete input"), "{message}");
    let message = err(query(&mut session, &db, "SELECT ?", json!(["a", "b"]))?)?;
    assert!(message.contains("parameter"), "{message}");
    Ok(())
}

#[test]
fn close_ends_the_connection() -> Result<()> {
    let mut session = session(weft_test_guests::SQLDB)?;
    let db = open(&mut session, ":memory:")?;
    assert_eq!(
        call(&mut session, &format!("{db}.close"), json!([]))?,
        Value::Null
    );
    let message = err(query(&mut session, &db, "SELECT 1", json!([]))?)?;
    assert!(message.contains("closed"), "{message}");
    // Closing twice is harmless.
    call(&mut session, &format!("{db}.close"), json!([]))?;
    Ok(())
}

#[test]
fn a_file_outside_granted_directories_cannot_be_opened() -> Result<()> {
    let mut session = session(weft_test_guests::SQLDB)?;
    let db = open(&mut session, "/nowhere/app.db")?;
    let message = err(query(&mut session, &db, "SELECT 1", json!([]))?)?;
    assert!(
        message.contains("cannot open database `/nowhere/app.db`"),
        "{message}"
    );
    Ok(())
}

#[test]
fn a_file_database_survives_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let capabilities = Capabilities {
        preopens: vec![Preopen {
            host: dir.path().to_path_buf(),
            guest: "/data".to_owned(),
            read_only: false,
        }],
        ..Capabilities::default()
    };

    let mut first = session_with(weft_test_guests::SQLDB, capabilities.clone())?;
    let db = open(&mut first, "/data/app.db")?;
    execute_ok(&mut first, &db, "CREATE TABLE notes (body TEXT)", json!([]))?;
    execute_ok(
        &mut first,
        &db,
        "INSERT INTO notes VALUES (?), (?)",
        json!(["kept", "also kept"]),
    )?;
    call(&mut first, &format!("{db}.close"), json!([]))?;
    first.finish();
    assert!(dir.path().join("app.db").is_file());

    // A new instance of the component: only the file connects the two.
    let mut second = session_with(weft_test_guests::SQLDB, capabilities)?;
    let db = open(&mut second, "/data/app.db")?;
    let rows = ok(query(
        &mut second,
        &db,
        "SELECT body FROM notes ORDER BY rowid",
        json!([]),
    )?)?;
    let bodies: Vec<Value> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| columns(row)[0].1.clone())
        .collect();
    assert_eq!(
        bodies,
        vec![
            json!({"tag": "text", "val": "kept"}),
            json!({"tag": "text", "val": "also kept"})
        ]
    );
    Ok(())
}

/// Capabilities granting `dir` as `/data`.
fn data_dir(dir: &std::path::Path) -> Capabilities {
    Capabilities {
        preopens: vec![Preopen {
            host: dir.to_path_buf(),
            guest: "/data".to_owned(),
            read_only: false,
        }],
        ..Capabilities::default()
    }
}

/// The single integer a `SELECT` of one value returns.
fn scalar(session: &mut Session, db: &str, sql: &str) -> Result<Value> {
    let rows = ok(query(session, db, sql, json!([]))?)?;
    Ok(columns(&rows[0])[0].1["val"].clone())
}

#[test]
fn more_than_one_statement_is_an_error_and_runs_nothing() -> Result<()> {
    let mut session = session(weft_test_guests::SQLDB)?;
    let db = open(&mut session, ":memory:")?;
    execute_ok(&mut session, &db, "CREATE TABLE t (n INTEGER)", json!([]))?;
    // Both statements valid on their own, the second depending on the first, and a
    // second that fails: each is refused whole, before the first runs.
    for sql in [
        "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)",
        "CREATE TABLE u (n); INSERT INTO u VALUES (1)",
        "INSERT INTO t VALUES (1); DROP TABLE missing",
        "INSERT INTO t VALUES (1); garbage",
    ] {
        let message = err(execute(&mut session, &db, sql, json!([]))?)?;
        assert!(
            message.contains("`execute` runs one SQL statement")
                && message.contains("nothing was run"),
            "{sql}: {message}"
        );
    }
    assert_eq!(
        scalar(&mut session, &db, "SELECT count(*) FROM t")?,
        json!(0)
    );
    let message = err(query(&mut session, &db, "SELECT 1; SELECT 2", json!([]))?)?;
    assert!(
        message.contains("`query` runs one SQL statement"),
        "{message}"
    );
    let tables = ok(query(
        &mut session,
        &db,
        "SELECT name FROM sqlite_master WHERE name = 'u'",
        json!([]),
    )?)?;
    assert_eq!(tables, json!([]), "the refused CREATE TABLE did not run");
    // A trailing `;`, blank or comment is still one statement.
    for sql in [
        "INSERT INTO t VALUES (3);",
        "INSERT INTO t VALUES (4) ;  \n",
        "INSERT INTO t VALUES (5); -- a comment",
        "/* lead */ INSERT INTO t VALUES (6);;",
    ] {
        assert_eq!(
            execute_ok(&mut session, &db, sql, json!([]))?,
            json!(1),
            "{sql}"
        );
    }
    assert_eq!(
        scalar(&mut session, &db, "SELECT sum(n) FROM t")?,
        json!(18)
    );
    // No statement at all says so.
    for sql in ["", "  ", "-- only a comment"] {
        let message = err(execute(&mut session, &db, sql, json!([]))?)?;
        assert!(message.contains("no SQL statement"), "{sql:?}: {message}");
    }
    Ok(())
}

#[test]
fn a_file_uri_opens_in_a_granted_directory() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut session = session_with(weft_test_guests::SQLDB, data_dir(dir.path()))?;
    let db = open(&mut session, "file:/data/uri.db")?;
    execute_ok(&mut session, &db, "CREATE TABLE t (n)", json!([]))?;
    execute_ok(&mut session, &db, "INSERT INTO t VALUES (?)", json!(["7"]))?;
    call(&mut session, &format!("{db}.close"), json!([]))?;
    assert!(
        dir.path().join("uri.db").is_file(),
        "the URI named /data/uri.db"
    );

    // URI parameters reach SQLite: a read-only open reads, and refuses writes.
    let db = open(&mut session, "file:/data/uri.db?mode=ro")?;
    assert_eq!(scalar(&mut session, &db, "SELECT n FROM t")?, json!("7"));
    let message = err(execute(
        &mut session,
        &db,
        "INSERT INTO t VALUES (8)",
        json!([]),
    )?)?;
    assert!(message.contains("readonly database"), "{message}");
    // A URI outside the granted directories fails to open, like a path.
    let db = open(&mut session, "file:/nowhere/x.db")?;
    let message = err(query(&mut session, &db, "SELECT 1", json!([]))?)?;
    assert!(
        message.contains("cannot open database `file:/nowhere/x.db`"),
        "{message}"
    );
    // `file::memory:` is SQLite's in-memory URI: nothing lands in the directory.
    let db = open(&mut session, "file::memory:")?;
    execute_ok(&mut session, &db, "CREATE TABLE m (n)", json!([]))?;
    let mut names: Vec<_> = std::fs::read_dir(dir.path())?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()?;
    names.sort();
    assert_eq!(names, ["uri.db"]);
    Ok(())
}

#[test]
fn close_and_drop_roll_back_an_open_transaction() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut session = session_with(weft_test_guests::SQLDB, data_dir(dir.path()))?;
    let db = open(&mut session, "/data/tx.db")?;
    execute_ok(&mut session, &db, "CREATE TABLE t (n INTEGER)", json!([]))?;
    execute_ok(&mut session, &db, "BEGIN", json!([]))?;
    execute_ok(&mut session, &db, "INSERT INTO t VALUES (1)", json!([]))?;
    execute_ok(&mut session, &db, "COMMIT", json!([]))?;
    execute_ok(&mut session, &db, "BEGIN", json!([]))?;
    execute_ok(&mut session, &db, "INSERT INTO t VALUES (2)", json!([]))?;
    // Inside the transaction the row is there...
    assert_eq!(
        scalar(&mut session, &db, "SELECT count(*) FROM t")?,
        json!(2)
    );
    call(&mut session, &format!("{db}.close"), json!([]))?;
    // ...after close it is not: only the committed row is in the file.
    let db = open(&mut session, "/data/tx.db")?;
    assert_eq!(
        scalar(&mut session, &db, "SELECT group_concat(n) FROM t")?,
        json!("1")
    );

    // Dropping the handle mid-transaction is the same.
    execute_ok(&mut session, &db, "BEGIN", json!([]))?;
    execute_ok(&mut session, &db, "INSERT INTO t VALUES (3)", json!([]))?;
    session.drop_handle(&db)?;
    let db = open(&mut session, "/data/tx.db")?;
    assert_eq!(
        scalar(&mut session, &db, "SELECT group_concat(n) FROM t")?,
        json!("1")
    );
    // And no transaction is left open on the file: another connection can write.
    execute_ok(&mut session, &db, "INSERT INTO t VALUES (4)", json!([]))?;
    let report = session.finish();
    assert!(report.leaked.is_empty(), "{report:?}");
    Ok(())
}
