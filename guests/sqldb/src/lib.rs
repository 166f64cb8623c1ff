//! The seed's database component (`example:database@1.0.0`, world `database-component`).
//!
//! Each `db` handle owns one SQLite connection (rusqlite with SQLite bundled and compiled
//! for `wasm32-wasip2`). `:memory:` opens a private in-memory database; any other URL is a
//! path (or `file:` URI) that WASI resolves against the directories the host granted, so a
//! file database survives the component instance. Parameters are bound through SQLite's
//! own binding API, never spliced into SQL text, and errors carry SQLite's message.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/database",
        world: "example:database/database-component@1.0.0",
    });
}

use std::cell::RefCell;

use bindings::exports::example::database::connection::{Column, Guest, GuestDb, Row, SqlValue};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, params_from_iter};

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

impl Db {
    /// Runs `f` on the open connection, or explains why there is none.
    fn with_connection<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, String> {
        match &*self.state.borrow() {
            State::Open(connection) => f(connection).map_err(|e| e.to_string()),
            State::Failed(message) => Err(message.clone()),
            State::Closed => Err("the database is closed".to_owned()),
        }
    }

    fn run_execute(&self, sql: &str, params: Vec<Value>) -> Result<u64, String> {
        self.with_connection(|connection| {
            let mut statement = connection.prepare(sql)?;
            let changed = statement.execute(params_from_iter(params))?;
            Ok(changed as u64)
        })
    }

    fn run_query(&self, sql: &str, params: Vec<Value>) -> Result<Vec<Row>, String> {
        self.with_connection(|connection| {
            let mut statement = connection.prepare(sql)?;
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
            // `close` cannot report errors in this interface; on failure rusqlite hands the
            // connection back, and dropping it closes it as best SQLite can.
            if let Err((connection, _)) = connection.close() {
                drop(connection);
            }
        }
    }
}

bindings::export!(SqlDb with_types_in bindings);
