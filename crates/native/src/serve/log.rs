//! The server's log, on stderr: one line per event, `annlab serve: <level>:
//! <message>`, filtered by `--log-level` (error, warn, info, debug; default
//! info). Each refused call is logged at info with its method and Milvus code;
//! each call served, at debug.

use std::fmt::Arguments;
use std::sync::atomic::{AtomicU8, Ordering};

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Level {
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);

pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::SeqCst);
}

pub fn enabled(level: Level) -> bool {
    level as u8 <= LEVEL.load(Ordering::Relaxed)
}

/// The line [`log`] writes.
pub fn line(level: Level, message: Arguments) -> String {
    let name = match level {
        Level::Error => "error",
        Level::Warn => "warn",
        Level::Info => "info",
        Level::Debug => "debug",
    };
    format!("annlab serve: {name}: {message}")
}

pub fn log(level: Level, message: Arguments) {
    if enabled(level) {
        eprintln!("{}", line(level, message));
    }
}

pub fn error(message: Arguments) {
    log(Level::Error, message);
}

/// A refused call: its method (Milvus's name), database, code and reason.
pub fn refused(method: &str, db: &str, code: i32, reason: &str) {
    log(
        Level::Info,
        format_args!("{method} refused: code={code} db={db} reason={reason}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_their_level() {
        assert_eq!(
            line(Level::Info, format_args!("CreateAlias refused: code=1601")),
            "annlab serve: info: CreateAlias refused: code=1601"
        );
        assert!(Level::Error < Level::Debug);
    }
}
