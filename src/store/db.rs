//! One way to run SQL on either backend, so that each statement of the
//! store is written once: [`Handle`] runs a statement with [`Value`]
//! parameters on a SQLite connection or a PostgreSQL one and gives rows of
//! [`Value`]s back.
//!
//! Statements are written in the dialect both accept (`?N` placeholders,
//! `ON CONFLICT`, `RETURNING`); for PostgreSQL the placeholders become
//! `$N` ([`pg_placeholders`]). Both backends store the same few types:
//! text (dates and times as text, as SQLite does), 64-bit integers, NULL;
//! a boolean is an integer 0 or 1. Statements are prepared once per
//! connection (rusqlite's cache; a map on [`PgConn`]).

use std::error::Error as StdError;

use bytes::BytesMut;
use chrono::NaiveDate;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};

pub use super::pg::PgConn;
use thiserror::Error;

/// How many statements a SQLite connection keeps prepared.
const SQLITE_STATEMENTS: usize = 64;

#[derive(Debug, Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
    #[error("no connection: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("the connection is closed")]
    Closed,
    #[error("column {index}: wanted {wanted}, found {found}")]
    Column {
        index: usize,
        wanted: &'static str,
        found: String,
    },
}

impl DbError {
    /// A PostgreSQL transaction that lost a race (serialization failure,
    /// deadlock): worth running again from the start.
    pub fn is_retryable(&self) -> bool {
        match self {
            DbError::Postgres(e) => e.code().is_some_and(|c| {
                *c == postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == postgres::error::SqlState::T_R_DEADLOCK_DETECTED
            }),
            _ => false,
        }
    }
}

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Value {
        Value::Int(i64::from(i))
    }
}
impl From<usize> for Value {
    fn from(i: usize) -> Value {
        Value::Int(i64::try_from(i).unwrap_or(i64::MAX))
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Int(i64::from(b))
    }
}
impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Value {
        // rusqlite's own text form of a date, so old rows compare equal.
        Value::Text(d.format("%F").to_string())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// Parameters of a statement: `vals![a, b]`.
macro_rules! vals {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::db::Value::from($v)),*][..]
    };
}
pub(crate) use vals;

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) if *ty == Type::INT8 => i.to_sql(ty, out),
            Value::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Value::Int(i) if *ty == Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
            Value::Int(i) if *ty == Type::BOOL => (*i != 0).to_sql(ty, out),
            Value::Int(i) => i.to_string().to_sql(ty, out),
            Value::Text(s) if <&str as ToSql>::accepts(ty) => s.as_str().to_sql(ty, out),
            Value::Text(s) => Err(format!("text `{s}` where {ty} was wanted").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A result row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(Vec<Value>);

impl Row {
    fn at(&self, index: usize) -> &Value {
        self.0.get(index).unwrap_or(&Value::Null)
    }

    fn wrong(&self, index: usize, wanted: &'static str) -> DbError {
        DbError::Column {
            index,
            wanted,
            found: format!("{:?}", self.at(index)),
        }
    }

    pub fn text(&self, index: usize) -> Result<String, DbError> {
        self.opt_text(index)?
            .ok_or_else(|| self.wrong(index, "text"))
    }

    pub fn opt_text(&self, index: usize) -> Result<Option<String>, DbError> {
        match self.at(index) {
            Value::Text(s) => Ok(Some(s.clone())),
            Value::Null => Ok(None),
            Value::Int(_) => Err(self.wrong(index, "text")),
        }
    }

    pub fn int(&self, index: usize) -> Result<i64, DbError> {
        self.opt_int(index)?
            .ok_or_else(|| self.wrong(index, "an integer"))
    }

    pub fn opt_int(&self, index: usize) -> Result<Option<i64>, DbError> {
        match self.at(index) {
            Value::Int(i) => Ok(Some(*i)),
            Value::Null => Ok(None),
            Value::Text(_) => Err(self.wrong(index, "an integer")),
        }
    }

    /// An integer 0 or 1 (SQLite), or a boolean (PostgreSQL).
    pub fn flag(&self, index: usize) -> Result<bool, DbError> {
        Ok(self.int(index)? != 0)
    }

    pub fn date(&self, index: usize) -> Result<NaiveDate, DbError> {
        self.text(index)?
            .parse()
            .map_err(|_| self.wrong(index, "a date"))
    }
}

/// Runs `f` where the blocking PostgreSQL client may run: it drives a
/// runtime of its own, which panics on a thread inside another runtime (a
/// store called from an SMTP connection's thread, or from the web app). On
/// such a thread, `f` runs on a scoped thread of its own.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// A connection of either backend, in a transaction or not.
pub enum Handle<'a> {
    Sqlite(&'a rusqlite::Connection),
    Pg(&'a mut PgConn),
}

impl Handle<'_> {
    /// Runs a statement; the rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        match self {
            Handle::Sqlite(conn) => {
                conn.set_prepared_statement_cache_capacity(SQLITE_STATEMENTS);
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
            }
            Handle::Pg(conn) => {
                let (client, statement) = pg_statement(conn, sql)?;
                Ok(client.execute(&statement, &pg_params(params))?)
            }
        }
    }

    /// Runs a query; all its rows.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        match self {
            Handle::Sqlite(conn) => {
                conn.set_prepared_statement_cache_capacity(SQLITE_STATEMENTS);
                let mut stmt = conn.prepare_cached(sql)?;
                let columns = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    let mut values = Vec::with_capacity(columns);
                    for i in 0..columns {
                        values.push(sqlite_value(row.get_ref(i)?, i)?);
                    }
                    out.push(Row(values));
                }
                Ok(out)
            }
            Handle::Pg(conn) => {
                let (client, statement) = pg_statement(conn, sql)?;
                client
                    .query(&statement, &pg_params(params))?
                    .iter()
                    .map(pg_row)
                    .collect()
            }
        }
    }

    /// The first row of a query, if any.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Whether a query finds a row.
    pub fn exists(&mut self, sql: &str, params: &[Value]) -> Result<bool, DbError> {
        Ok(!self.query(sql, params)?.is_empty())
    }

    /// Runs statements separated by `;`, without parameters.
    pub fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Handle::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Handle::Pg(conn) => conn.batch(sql),
        }
    }
}

fn pg_statement<'c>(
    conn: &'c mut PgConn,
    sql: &str,
) -> Result<(&'c mut postgres::Client, postgres::Statement), DbError> {
    let (client, statements) = conn.parts()?;
    if let Some(statement) = statements.get(sql) {
        return Ok((client, statement.clone()));
    }
    let statement = client.prepare(&pg_placeholders(sql))?;
    statements.insert(sql.to_owned(), statement.clone());
    Ok((client, statement))
}

fn pg_params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn sqlite_value(value: rusqlite::types::ValueRef<'_>, index: usize) -> Result<Value, DbError> {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => Ok(Value::Null),
        ValueRef::Integer(i) => Ok(Value::Int(i)),
        ValueRef::Text(t) => Ok(Value::Text(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Real(_) | ValueRef::Blob(_) => Err(DbError::Column {
            index,
            wanted: "text or an integer",
            found: format!("{:?}", value.data_type()),
        }),
    }
}

fn pg_row(row: &postgres::Row) -> Result<Row, DbError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?.map(Value::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?
                .map(|v| Value::Int(v.into()))
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(i)?
                .map(|v| Value::Int(v.into()))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?.map(Value::from)
        } else if <String as postgres::types::FromSql>::accepts(ty) {
            row.try_get::<_, Option<String>>(i)?.map(Value::Text)
        } else {
            return Err(DbError::Column {
                index: i,
                wanted: "text, an integer or a boolean",
                found: ty.to_string(),
            });
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

/// `?N` placeholders as PostgreSQL's `$N` (not inside quotes).
pub fn pg_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            pg_placeholders("SELECT '?1', \"?2\" FROM t WHERE a = ?1 AND b = ?12 OR c = ?"),
            "SELECT '?1', \"?2\" FROM t WHERE a = $1 AND b = $12 OR c = ?"
        );
    }

    #[test]
    fn rows_read_what_both_backends_give() {
        let row = Row(vec![
            Value::Text("2026-11-16".into()),
            Value::Int(1),
            Value::Null,
        ]);
        assert_eq!(row.date(0).unwrap().to_string(), "2026-11-16");
        assert!(row.flag(1).unwrap());
        assert_eq!(row.opt_text(2).unwrap(), None);
        assert!(row.text(2).is_err());
        assert!(row.int(0).is_err());
    }
}
