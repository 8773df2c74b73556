//! Coded errors. The code strings are part of the API: the N-API layer copies them into
//! the JS error's `code` and the control plane maps them to exit statuses.

use core::fmt;

/// Stable error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The start-of-day config blob violates spec §10.
    ConfigInvalid,
    /// A batch that is not the end of input ends inside a frame: the caller must split
    /// only between frames, so this is a caller bug and nothing was processed.
    PartialFrame,
    /// The caller-provided output buffer could be too small; nothing was processed.
    OutputTooSmall,
    /// A snapshot that is truncated, malformed, of another format version or of another
    /// config than the engine restoring it.
    SnapshotInvalid,
}

impl ErrorCode {
    /// The code as it appears in JS (`err.code`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ConfigInvalid => "CONFIG_INVALID",
            ErrorCode::PartialFrame => "PARTIAL_FRAME",
            ErrorCode::OutputTooSmall => "OUTPUT_TOO_SMALL",
            ErrorCode::SnapshotInvalid => "SNAPSHOT_INVALID",
        }
    }
}

/// An engine error: a stable code, the offending field when there is one, and a message
/// meant for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    pub code: ErrorCode,
    /// For `CONFIG_INVALID`, the spec name of the offending field (e.g. `symbols[2].account`).
    pub field: Option<String>,
    pub message: String,
}

impl EngineError {
    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("config blob: {field}: {}", message.into());
        EngineError { code: ErrorCode::ConfigInvalid, field: Some(field), message }
    }

    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        EngineError { code, field: None, message: message.into() }
    }

    /// The stable code string.
    pub fn code_str(&self) -> &'static str {
        self.code.as_str()
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for EngineError {}
