//! Edits of compact JSON text that a JSON value cannot express: a member named twice, a value
//! written with `\u` escapes, a lone surrogate. The cases that carry such text (`plaintext_text`,
//! `content_text`) are given only to implementations that declare the `json-text` capability.

use serde_json::Value;

/// The JSON member `"name":value`, compact.
fn member(name: &str, value: &Value) -> String {
    format!("{}:{value}", Value::from(name))
}

/// `object` (the compact text of a JSON object with at least one member) with `"name":value`
/// written before its first member, so a parser that keeps the first value sees it.
pub fn with_first_member(object: &str, name: &str, value: &Value) -> String {
    match object.strip_prefix('{') {
        Some(rest) => format!("{{{},{rest}", member(name, value)),
        None => object.to_owned(),
    }
}

/// `object` with `"name":value` written after its last member, so a parser that keeps the last
/// value sees it.
pub fn with_last_member(object: &str, name: &str, value: &Value) -> String {
    match object.strip_suffix('}') {
        Some(rest) => format!("{rest},{}}}", member(name, value)),
        None => object.to_owned(),
    }
}

/// `text` with the one occurrence of `from` replaced by `to`; unchanged (and the generator's
/// tests then fail on the case) when `from` does not occur exactly once.
pub fn replace_once(text: &str, from: &str, to: &str) -> String {
    if text.matches(from).count() == 1 {
        text.replacen(from, to, 1)
    } else {
        text.to_owned()
    }
}

/// The member `"name":value` of a compact object as written, to find it with [`replace_once`].
pub fn written(name: &str, value: &Value) -> String {
    member(name, value)
}

/// `text` with its one string member `"name":"…"` written twice: `foreign` and the original
/// value, `foreign` first if `foreign_first`. Unchanged when the member is not written exactly
/// once.
pub fn string_member_twice(text: &str, name: &str, foreign: &str, foreign_first: bool) -> String {
    let start = format!("{}:\"", Value::from(name));
    let Some(at) = text.find(&start) else {
        return text.to_owned();
    };
    if text[at + 1..].contains(&start) {
        return text.to_owned();
    }
    let value_start = at + start.len();
    let Some(len) = text[value_start..].find('"') else {
        return text.to_owned();
    };
    let original = &text[at..value_start + len + 1];
    let extra = member(name, &Value::from(foreign));
    let both = if foreign_first {
        format!("{extra},{original}")
    } else {
        format!("{original},{extra}")
    };
    format!("{}{both}{}", &text[..at], &text[value_start + len + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn duplicates_are_placed_first_or_last() {
        let o = r#"{"a":1,"b":2}"#;
        assert_eq!(
            with_first_member(o, "a", &json!(0)),
            r#"{"a":0,"a":1,"b":2}"#
        );
        assert_eq!(
            with_last_member(o, "a", &json!(3)),
            r#"{"a":1,"b":2,"a":3}"#
        );
    }

    #[test]
    fn a_string_member_is_written_twice() {
        let o = r#"{"f":{"h":"abc"},"x":1}"#;
        assert_eq!(
            string_member_twice(o, "h", "zz", true),
            r#"{"f":{"h":"zz","h":"abc"},"x":1}"#
        );
        assert_eq!(
            string_member_twice(o, "h", "zz", false),
            r#"{"f":{"h":"abc","h":"zz"},"x":1}"#
        );
        assert_eq!(
            string_member_twice(r#"{"h":"a","g":{"h":"b"}}"#, "h", "z", true),
            r#"{"h":"a","g":{"h":"b"}}"#
        );
    }

    #[test]
    fn replace_once_leaves_ambiguous_text_alone() {
        assert_eq!(
            replace_once(r#"{"a":"x"}"#, r#""x""#, r#""y""#),
            r#"{"a":"y"}"#
        );
        assert_eq!(
            replace_once(r#"["x","x"]"#, r#""x""#, r#""y""#),
            r#"["x","x"]"#
        );
    }
}
