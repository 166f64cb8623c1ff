//! Notebooks over the seed's `example:database/connection` (world
//! `weft:notes/notes-app`): each notebook holds one imported `db` handle, so the
//! component's import is a resource. Composed over `sqldb` it stores real rows; under
//! `weft test` the database is a mock.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/database", "wit"],
        world: "weft:notes/notes-app@0.1.0",
        // The imported interface comes from another package; generate its bindings here.
        generate_all,
    });
}

use bindings::example::database::connection::{Db, SqlValue};
use bindings::exports::weft::notes::notes::{Guest, GuestNotebook};

/// The component's export implementation.
struct Notes;

impl Guest for Notes {
    type Notebook = Notebook;
}

/// One notebook: its database connection, and the error opening it gave, if any.
pub struct Notebook {
    db: Db,
    opened: Result<(), String>,
}

impl GuestNotebook for Notebook {
    fn new(url: String) -> Self {
        let db = Db::new(&url);
        let opened = db
            .execute(
                "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",
                &[],
            )
            .map(|_| ());
        Notebook { db, opened }
    }

    fn add(&self, text: String) -> Result<u64, String> {
        self.opened.clone()?;
        self.db
            .execute("INSERT INTO notes (text) VALUES (?)", &[text])?;
        self.count()
    }

    fn count(&self) -> Result<u64, String> {
        self.opened.clone()?;
        let rows = self.db.query("SELECT COUNT(*) AS n FROM notes", &[])?;
        let value = rows
            .first()
            .and_then(|row| row.columns.first())
            .map(|column| &column.value);
        match value {
            Some(SqlValue::Integer(n)) => u64::try_from(*n).map_err(|e| e.to_string()),
            other => Err(format!("COUNT(*) answered {other:?}, not an integer")),
        }
    }

    fn find(&self, needle: String) -> Result<Vec<String>, String> {
        self.opened.clone()?;
        let rows = self.db.query(
            "SELECT text FROM notes WHERE instr(text, ?) > 0 ORDER BY id",
            &[needle],
        )?;
        rows.into_iter()
            .map(
                |row| match row.columns.into_iter().next().map(|c| c.value) {
                    Some(SqlValue::Text(text)) => Ok(text),
                    other => Err(format!("a note's text came back as {other:?}")),
                },
            )
            .collect()
    }
}

bindings::export!(Notes with_types_in bindings);
