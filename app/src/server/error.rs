//! Errors inside the server. A service either refuses, with the sentence a
//! person reads (`AppError`), or fails: the database did not answer, a row
//! did not decode. A failure keeps its cause and the place it happened
//! (the `?` that met it), and is logged once, where the request is answered
//! (`From<ServerError> for AppError`); the person reads « erreur interne »
//! and never the cause.

use crate::error::AppError;
use std::panic::Location;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A refusal the person reads: nothing went wrong with the server.
    #[error(transparent)]
    Refused(#[from] AppError),
    #[error("database: {source} (at {at})")]
    Database { source: sqlx::Error, at: &'static Location<'static> },
}

pub type ServerResult<T> = Result<T, ServerError>;

impl From<sqlx::Error> for ServerError {
    /// Called by `?`: the location is that of the `?`.
    #[track_caller]
    fn from(source: sqlx::Error) -> ServerError {
        ServerError::Database { source, at: Location::caller() }
    }
}

impl From<crate::server::codes::MissingKey> for ServerError {
    /// A code made with a key version this server lacks: the person is told
    /// to try again (another server may hold it), the operator is told why.
    fn from(missing: crate::server::codes::MissingKey) -> ServerError {
        tracing::error!(
            key_version = missing.0,
            "no server key of this version: copy the current key file to this server (bons secret rotate), \
             or it was retired while something still needed it"
        );
        ServerError::Refused(AppError::KeyUnavailable)
    }
}

impl From<ServerError> for AppError {
    fn from(e: ServerError) -> AppError {
        match e {
            ServerError::Refused(refusal) => refusal,
            fault => {
                tracing::error!(error = %fault, "request failed");
                AppError::Internal
            }
        }
    }
}

/// A unique constraint of the schema, by its table and columns: the names
/// both backends give it follow from them (`store::members::NUMBER_KEY`…).
#[derive(Debug, Clone, Copy)]
pub struct UniqueKey {
    pub table: &'static str,
    pub columns: &'static [&'static str],
}

impl UniqueKey {
    /// PostgreSQL's name for an unnamed `UNIQUE`: `members_number_key`.
    fn postgres_name(&self) -> String {
        format!("{}_{}_key", self.table, self.columns.join("_"))
    }

    /// SQLite names the columns: `UNIQUE constraint failed: members.number`.
    fn sqlite_message(&self) -> String {
        let columns: Vec<String> = self.columns.iter().map(|c| format!("{}.{c}", self.table)).collect();
        format!("UNIQUE constraint failed: {}", columns.join(", "))
    }
}

impl ServerError {
    /// The write broke this unique constraint: a duplicate number, login or
    /// code. Duplicates are caught from the constraint rather than looked
    /// for first, which two requests at once could both pass.
    pub fn breaks(&self, key: UniqueKey) -> bool {
        match self {
            ServerError::Database { source: sqlx::Error::Database(db), .. } if db.is_unique_violation() => {
                db.constraint() == Some(key.postgres_name().as_str()) || db.message() == key.sqlite_message()
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_told_with_the_place_of_its_question_mark() {
        fn read() -> ServerResult<()> {
            Err(sqlx::Error::RowNotFound)?;
            Ok(())
        }
        let e = read().unwrap_err();
        let told = e.to_string();
        assert!(told.contains("app/src/server/error.rs") && told.contains("no rows returned"), "{told}");
        assert_eq!(AppError::from(e), AppError::Internal);
        let refusal: ServerError = AppError::VoucherNotFound.into();
        assert_eq!(AppError::from(refusal), AppError::VoucherNotFound);
    }
}
