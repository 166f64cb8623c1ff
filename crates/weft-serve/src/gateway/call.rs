//! One gateway call: JSON arguments by position or by name, the status a result answers
//! with, and each of weft's call errors as a problem report.

use http::StatusCode;
use serde_json::Value;
use wasmtime::component::Type;
use weft_runtime::{CallError, ExportFunc, FuncKind, SessionError, TrapKind};
use weft_wit::closest;

use crate::problem::Problem;

/// The arguments of a call to `export` as the JSON array weft's sessions take: an array
/// is used as is, an object is read by parameter name (left-out parameters are `null`,
/// which an `option` reads as `none`).
pub fn arguments(export: &ExportFunc, signature: &str, args: Value) -> Result<Value, Problem> {
    let object = match args {
        Value::Array(_) => return Ok(args),
        Value::Object(object) => object,
        Value::Null => serde_json::Map::new(),
        other => {
            return Err(bad_body(format!(
                "the arguments of `{}` must be a JSON array (in parameter order) or an object (by parameter name), not {}\n  signature: {signature}",
                export.short_name(),
                json_kind(&other)
            )));
        }
    };
    let skip = usize::from(matches!(export.kind, FuncKind::Method { .. }));
    let params: Vec<(String, Type)> = export
        .ty
        .params()
        .skip(skip)
        .map(|(n, t)| (n.to_string(), t))
        .collect();
    let known = |k: &str| (skip == 1 && k == "self") || params.iter().any(|(n, _)| n == k);
    if let Some(unknown) = object.keys().find(|k| !known(k)) {
        let hint = closest(unknown, params.iter().map(|(n, _)| n.as_str()))
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        return Err(bad_argument(
            format!(
                "`{}` has no parameter `{unknown}`{hint}\n  signature: {signature}",
                export.short_name()
            ),
            unknown,
        ));
    }
    let mut values = Vec::with_capacity(params.len() + skip);
    if skip == 1 {
        let handle = object.get("self").cloned().unwrap_or(Value::Null);
        values.push(handle);
    }
    for (name, ty) in &params {
        match object.get(name) {
            Some(value) => values.push(value.clone()),
            None if matches!(ty, Type::Option(_)) => values.push(Value::Null),
            None => {
                return Err(bad_argument(
                    format!(
                        "the argument `{name}` of `{}` is missing\n  signature: {signature}",
                        export.short_name()
                    ),
                    name,
                ));
            }
        }
    }
    Ok(Value::Array(values))
}

/// The status a call's JSON `result` answers with: 200, or for a WIT `result` that is
/// `err(...)`, the status the error names (see docs/serve.md).
pub fn status_of(export: &ExportFunc, result: &Value) -> StatusCode {
    let Some(Type::Result(result_type)) = export.ty.results().next() else {
        return StatusCode::OK;
    };
    if result.get("tag").and_then(Value::as_str) != Some("err") {
        return StatusCode::OK;
    }
    let value = result.get("val");
    let status = match (result_type.err(), value) {
        (Some(Type::U16 | Type::U32 | Type::S32 | Type::U64 | Type::S64), Some(v)) => v
            .as_u64()
            .filter(|n| (400..=599).contains(n))
            .and_then(|n| StatusCode::from_u16(n as u16).ok()),
        (Some(Type::Enum(_)), Some(Value::String(case))) => status_for_name(case),
        (Some(Type::Variant(_)), Some(v)) => v
            .get("tag")
            .and_then(Value::as_str)
            .and_then(status_for_name),
        _ => None,
    };
    status.unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// The status an error case's name speaks of, by the words it contains.
fn status_for_name(case: &str) -> Option<StatusCode> {
    const WORDS: &[(&[&str], StatusCode)] = &[
        (
            &["not-found", "missing", "no-such", "unknown"],
            StatusCode::NOT_FOUND,
        ),
        (
            &["unauthorized", "unauthenticated"],
            StatusCode::UNAUTHORIZED,
        ),
        (
            &["forbidden", "denied", "permission"],
            StatusCode::FORBIDDEN,
        ),
        (&["conflict", "exists", "duplicate"], StatusCode::CONFLICT),
        (&["too-large", "too-big"], StatusCode::PAYLOAD_TOO_LARGE),
        (
            &["rate", "too-many", "quota"],
            StatusCode::TOO_MANY_REQUESTS,
        ),
        (
            &["invalid", "bad", "malformed", "parse"],
            StatusCode::BAD_REQUEST,
        ),
        (&["timeout", "timed-out"], StatusCode::GATEWAY_TIMEOUT),
        (&["unavailable", "busy"], StatusCode::SERVICE_UNAVAILABLE),
        (
            &["internal", "io", "corrupt"],
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ];
    let parts: Vec<&str> = case.split('-').collect();
    WORDS.iter().find_map(|(words, status)| {
        words
            .iter()
            .any(|w| {
                if w.contains('-') {
                    case.contains(w)
                } else {
                    parts.contains(w)
                }
            })
            .then_some(*status)
    })
}

/// A call error as the problem a client gets.
pub fn problem(error: &CallError) -> Problem {
    let detail = error.to_string();
    match error {
        CallError::Value { error: value, .. } => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-argument",
            "An argument does not fit its WIT type",
            detail,
        )
        .with("path", value.path.clone())
        .with("expected", value.expected.clone())
        .with("found", value.found.clone()),
        CallError::Arity { .. } | CallError::JsonArgs { .. } => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-arguments",
            "The arguments do not fit the signature",
            detail,
        ),
        CallError::Syntax(_) => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-statement",
            "A statement does not parse",
            detail,
        ),
        CallError::Resolve(_) => Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-export",
            "The component has no such export",
            detail,
        ),
        CallError::UnknownHandle { .. }
        | CallError::UnknownMethod { .. }
        | CallError::NothingToBind { .. }
        | CallError::HandleExists(_) => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-handle",
            "A handle is not usable here",
            detail,
        ),
        CallError::Trap { trap, .. } => {
            let status = if trap.kind == TrapKind::Deadline {
                StatusCode::GATEWAY_TIMEOUT
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            Problem::new(status, "trap", "The component trapped", detail)
                .with("trap", format!("{:?}", trap.kind))
        }
        CallError::Dead(_) => Problem::new(
            StatusCode::GONE,
            "session-dead",
            "The session's instance trapped earlier",
            detail,
        ),
        _ => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "host-error",
            "The server could not make the call",
            detail,
        ),
    }
}

/// An instance that could not be made, as a problem.
pub fn instantiate_problem(error: &SessionError) -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "instantiate",
        "The component could not be instantiated",
        error.to_string(),
    )
}

/// A request body that is not what the route takes.
pub fn bad_body(detail: String) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "bad-body",
        "The request body is not what this route takes",
        detail,
    )
}

fn bad_argument(detail: String, path: &str) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "bad-argument",
        "An argument does not fit its WIT type",
        detail,
    )
    .with("path", path.to_string())
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::status_for_name;
    use http::StatusCode;

    #[test]
    fn error_case_names_pick_statuses_by_whole_words() {
        assert_eq!(status_for_name("not-found"), Some(StatusCode::NOT_FOUND));
        assert_eq!(status_for_name("table-exists"), Some(StatusCode::CONFLICT));
        assert_eq!(
            status_for_name("invalid-sql"),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            status_for_name("io"),
            Some(StatusCode::INTERNAL_SERVER_ERROR)
        );
        // `ratio` is not `rate`, and `radio` is not `io`.
        assert_eq!(status_for_name("ratio"), None);
        assert_eq!(status_for_name("radio"), None);
    }
}
