//! Helpers for strict, path-aware reading of `serde_json::Value` trees.
//!
//! The wire model reads JSON by hand rather than through `#[derive(Deserialize)]` so that every
//! rejection names the exact JSON pointer and the rule it breaks, and so that unknown fields are
//! tolerated while known fields are type-checked strictly.

use serde_json::{Map, Value};

use crate::error::Violation;

/// Appends `segment` to the JSON pointer `base`, escaping `~` and `/` as RFC 6901 requires.
pub fn pointer(base: &str, segment: impl std::fmt::Display) -> String {
    let seg = segment.to_string().replace('~', "~0").replace('/', "~1");
    format!("{base}/{seg}")
}

/// Human name of a JSON value's type, for error messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `v` as an object, or a violation of `rule` at `path`.
pub fn as_object<'a>(
    v: &'a Value,
    path: &str,
    rule: &'static str,
) -> Result<&'a Map<String, Value>, Violation> {
    v.as_object().ok_or_else(|| {
        Violation::new(
            rule,
            path,
            format!("expected an object, found {}", type_name(v)),
        )
    })
}

/// The required member `key` of `obj`, or a violation.
pub fn required<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    rule: &'static str,
) -> Result<&'a Value, Violation> {
    obj.get(key).ok_or_else(|| {
        Violation::new(
            rule,
            pointer(path, key),
            format!("required field `{key}` is missing"),
        )
    })
}

/// The required string member `key` of `obj`, or a violation.
pub fn required_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    rule: &'static str,
) -> Result<&'a str, Violation> {
    let v = required(obj, key, path, rule)?;
    v.as_str().ok_or_else(|| {
        Violation::new(
            rule,
            pointer(path, key),
            format!("`{key}` must be a string, found {}", type_name(v)),
        )
    })
}

/// The optional string member `key` of `obj`: absent is `None`, present but not a string is a violation.
pub fn optional_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    rule: &'static str,
) -> Result<Option<&'a str>, Violation> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(Violation::new(
            rule,
            pointer(path, key),
            format!("`{key}` must be a string, found {}", type_name(v)),
        )),
    }
}

/// The required object member `key` of `obj`, or a violation.
pub fn required_object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    rule: &'static str,
) -> Result<&'a Map<String, Value>, Violation> {
    let v = required(obj, key, path, rule)?;
    as_object(v, &pointer(path, key), rule)
}

/// Whether `s` looks like a Matrix room ID (`!opaque:server` or, from room v12, `!opaque`). NUL
/// is refused anywhere: the appendix's localpart "MUST only contain valid non-surrogate Unicode
/// code points, including control characters, except `:` and `NUL` (U+0000)".
pub fn is_room_id(s: &str) -> bool {
    s.len() > 1
        && s.starts_with('!')
        && s.len() <= 255
        && !s.chars().any(char::is_whitespace)
        && !s.contains('\0')
}
