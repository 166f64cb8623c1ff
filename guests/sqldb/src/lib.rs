//! The seed's database component (`example:database@1.0.0`, world `database-component`).
//!
//! Each `db` handle owns one SQLite connection (rusqlite with SQLite bundled and compiled
//! for `wasm32-wasip2`). `:memory:` opens a private in-memory database; any other URL is a
//! path (or `file:` URI) that WASI resolves against the directories the host granted, so a
//! file database survives the component instance. Parameters are bound through SQLite's
//! own binding API, never spliced into SQL text, and errors carry SQLite's message.
//! `execute` and `query` take exactly one statement: SQL holding more is an `err` and runs
//! nothing (SQLite's `prepare` would silently run only the first). `close`, or dropping the
//! handle, rolls back a transaction left open, as closing an SQLite connection does.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/database",
        world: "example:database/database-component@1.0.0",
    });
}

use std::cell::RefCell;

use bindings::exports::example::database::connection::{Column, Guest, GuestDb, Row, SqlValue};
use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Batch, Connection, Statement, params_from_iter};

/// The component's export implementation.
struct SqlDb;

impl Guest for SqlDb {
    type Db = Db;
}

/// A `db` resource: the connection, or why there is none.
pub struct Db {
    state: RefCell<State>,
}

/// Where a `db` handle stands.
enum State {
    Open(Connection),
    /// Opening failed; the constructor cannot return errors, so every method does.
    Failed(String),
    Closed,
}

/// Why a method failed: SQLite's error, or a use of the interface it does not allow.
enum Failure {
    Sql(rusqlite::Error),
    Usage(String),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sql(e)
    }
}

impl Db {
    /// Runs `f` on the open connection, or explains why there is none.
    fn with_connection<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, Failure>,
    ) -> Result<T, String> {
        match &*self.state.borrow() {
            State::Open(connection) => f(connection).map_err(|e| match e {
                Failure::Sql(e) => e.to_string(),
                Failure::Usage(message) => message,
            }),
            State::Failed(message) => Err(message.clone()),
            State::Closed => Err("the database is closed".to_owned()),
        }
    }

    fn run_execute(&self, sql: &str, params: Vec<Value>) -> Result<u64, String> {
        self.with_connection(|connection| {
            let mut statement = prepare_one(connection, sql, "execute")?;
            let changed = statement.execute(params_from_iter(params))?;
            Ok(changed as u64)
        })
    }

    fn run_query(&self, sql: &str, params: Vec<Value>) -> Result<Vec<Row>, String> {
        self.with_connection(|connection| {
            let mut statement = prepare_one(connection, sql, "query")?;
            let names: Vec<String> = statement
                .column_names()
                .into_iter()
                .map(str::to_owned)
                .collect();
            let mut rows = statement.query(params_from_iter(params))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let mut columns = Vec::with_capacity(names.len());
                for (index, name) in names.iter().enumerate() {
                    columns.push(Column {
                        name: name.clone(),
                        value: to_wit(row.get_ref(index)?),
                    });
                }
                out.push(Row { columns });
            }
            Ok(out)
        })
    }
}

/// Prepares `sql`, which must hold exactly one statement (a trailing `;`, whitespace or
/// comment is fine). More than one is refused before anything runs: SQLite would run only
/// the first, and a later statement can fail to prepare for a reason the first one causes
/// (`CREATE TABLE a ...; INSERT INTO a ...` gives "no such table"), so its error would
/// mislead.
fn prepare_one<'c>(
    connection: &'c Connection,
    sql: &str,
    method: &str,
) -> Result<Statement<'c>, Failure> {
    let mut batch = Batch::new(connection, sql);
    let Some(statement) = batch.next()? else {
        return Err(Failure::Usage(format!(
            "`{method}` got no SQL statement (the text is empty or only comments)"
        )));
    };
    match batch.next() {
        Ok(None) => Ok(statement),
        Ok(Some(_)) | Err(_) => Err(Failure::Usage(format!(
            "`{method}` runs one SQL statement, but the text holds more after the first; \
             nothing was run: send each statement in its own call"
        ))),
    }
}

/// An SQLite value as the WIT variant. Text that is not UTF-8 (SQLite does not check) is
/// decoded lossily rather than failing the whole query.
fn to_wit(value: ValueRef<'_>) -> SqlValue {
    match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
    }
}

/// A WIT value as an SQLite value to bind.
fn from_wit(value: SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => Value::Integer(i),
        SqlValue::Real(f) => Value::Real(f),
        SqlValue::Text(t) => Value::Text(t),
        SqlValue::Blob(b) => Value::Blob(b),
    }
}

/// The seed's string parameters, bound as SQLite text (column affinity converts them).
fn text_params(params: Vec<String>) -> Vec<Value> {
    params.into_iter().map(Value::Text).collect()
}

impl GuestDb for Db {
    fn new(url: String) -> Self {
        let opened = if url.is_empty() || url == ":memory:" {
            Connection::open_in_memory()
        } else {
            Connection::open(&url)
        };
        let state = match opened {
            Ok(connection) => State::Open(connection),
            Err(e) => State::Failed(format!("cannot open database `{url}`: {e}")),
        };
        Db {
            state: RefCell::new(state),
        }
    }

    fn execute(&self, sql: String, params: Vec<String>) -> Result<u64, String> {
        self.run_execute(&sql, text_params(params))
    }

    fn query(&self, sql: String, params: Vec<String>) -> Result<Vec<Row>, String> {
        self.run_query(&sql, text_params(params))
    }

    fn execute_typed(&self, sql: String, params: Vec<SqlValue>) -> Result<u64, String> {
        self.run_execute(&sql, params.into_iter().map(from_wit).collect())
    }

    fn query_typed(&self, sql: String, params: Vec<SqlValue>) -> Result<Vec<Row>, String> {
        self.run_query(&sql, params.into_iter().map(from_wit).collect())
    }

    fn close(&self) {
        let state = std::mem::replace(&mut *self.state.borrow_mut(), State::Closed);
        if let State::Open(connection) = state {
            // A transaction left open (BEGIN without COMMIT) is rolled back, as closing an
            // SQLite connection does; done here so it does not hinge on how the connection
            // ends. A failed rollback leaves it to SQLite's close, which rolls back too.
            if !connection.is_autocommit() {
                let _ = connection.execute_batch("ROLLBACK");
            }
            // `close` cannot report errors in this interface; on failure rusqlite hands the
            // connection back, and dropping it closes it as best SQLite can.
            if let Err((connection, _)) = connection.close() {
                drop(connection);
            }
        }
    }
}

impl Drop for Db {
    /// Dropping the handle closes the connection the way `close` does.
    fn drop(&mut self) {
        GuestDb::close(self);
    }
}

bindings::export!(SqlDb with_types_in bindings);
