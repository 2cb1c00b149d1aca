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

/// Whether `s` is a Matrix room ID as a client can tell (spec appendix, *Room IDs*, rule R46): the
/// `!` sigil, a non-empty rest, at most 255 bytes in all, and no NUL. The localpart of
/// `!localpart:domain` may hold any non-surrogate code point but `:` and NUL (spaces and control
/// characters included), the domainless form of room version 12 is an event ID, and clients are to
/// treat room IDs "as fully opaque strings … even when a `domain` component is present", so the
/// domain is not parsed here.
pub fn is_room_id(s: &str) -> bool {
    // R46: sigil, length in bytes, NUL.
    s.strip_prefix('!')
        .is_some_and(|rest| !rest.is_empty() && s.len() <= 255 && !rest.contains('\0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_follow_the_appendix_grammar() {
        for ok in [
            "!history:hs1.test",
            "!his tory:hs1.test",
            "!tab\there:hs1.test",
            "!hist\u{7f}ory:hs1.test",
            "!h\u{e9}llo:hs1.test",
            "!history:hs1.test:8448",
            "!history:[::1]:8448",
            "!history:hs 1.test",
            "!Wp1Gy4gJyx3nI5iUNYrSwuIffWIuSBUt5SQa6YNTtrM",
        ] {
            assert!(is_room_id(ok), "{ok:?} is a room ID");
        }
        let long = format!("!{}:hs1.test", "a".repeat(246));
        assert_eq!(long.len(), 256);
        for bad in [
            "",
            "!",
            "history:hs1.test",
            "#history:hs1.test",
            "@bob:hs1.test",
            "!hist\0ory:hs1.test",
            "!history:hs1.test\0",
            long.as_str(),
        ] {
            assert!(!is_room_id(bad), "{bad:?} is not a room ID");
        }
        let longest = format!("!{}:hs1.test", "a".repeat(245));
        assert_eq!(longest.len(), 255);
        assert!(is_room_id(&longest), "255 bytes is the limit, not over it");
    }
}
