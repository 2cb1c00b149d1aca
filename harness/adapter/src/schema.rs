//! The protocol's JSON Schemas (`protocol/`), compiled for strict mode.

use jsonschema::{Resource, Validator};
use msc4268_protocol::cases::Category;
use serde_json::{Value, json};

/// `protocol/adapter-request.schema.json`: messages from the harness to the adapter.
pub const REQUEST_SCHEMA: &str = include_str!("../../../protocol/adapter-request.schema.json");
/// `protocol/adapter-response.schema.json`: messages from the adapter to the harness.
pub const RESPONSE_SCHEMA: &str = include_str!("../../../protocol/adapter-response.schema.json");
/// The fixture file schema, whose `$defs` the protocol schemas reference for inputs and outcomes.
const FIXTURE_SCHEMA: &str = include_str!("../../../fixtures/schema/fixture-file.schema.json");

/// Compiled validators for every message kind.
pub struct SchemaSet {
    request: Validator,
    response: Validator,
    start_reply: Validator,
    run_reply: Validator,
    outcomes: Vec<(Category, Validator)>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaSet").finish_non_exhaustive()
    }
}

fn parse(name: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))
}

fn id_of(schema: &Value, name: &str) -> Result<String, String> {
    schema
        .get("$id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{name}: no `$id`"))
}

impl SchemaSet {
    /// Compiles the embedded schemas.
    pub fn compile() -> Result<Self, String> {
        let request = parse("adapter-request.schema.json", REQUEST_SCHEMA)?;
        let response = parse("adapter-response.schema.json", RESPONSE_SCHEMA)?;
        let fixture = parse("fixture-file.schema.json", FIXTURE_SCHEMA)?;
        let fixture_id = id_of(&fixture, "fixture-file.schema.json")?;
        let response_id = id_of(&response, "adapter-response.schema.json")?;
        let build = |schema: &Value| {
            jsonschema::options()
                .with_resource(fixture_id.clone(), Resource::from_contents(fixture.clone()))
                .with_resource(
                    response_id.clone(),
                    Resource::from_contents(response.clone()),
                )
                .build(schema)
                .map_err(|e| e.to_string())
        };
        let mut outcomes = Vec::new();
        for c in Category::ALL {
            let v = build(&json!({"$ref": format!("{response_id}#/$defs/outcome-{c}")}))?;
            outcomes.push((c, v));
        }
        let def = |name: &str| build(&json!({"$ref": format!("{response_id}#/$defs/{name}")}));
        Ok(Self {
            request: build(&request)?,
            response: build(&response)?,
            start_reply: def("start-reply")?,
            run_reply: def("run-reply")?,
            outcomes,
        })
    }

    /// Checks a message from the harness.
    pub fn check_request(&self, message: &Value) -> Result<(), String> {
        errors(&self.request, message)
    }

    /// Checks a message from the adapter.
    pub fn check_response(&self, message: &Value) -> Result<(), String> {
        errors(&self.response, message)
    }

    /// Checks a reply to `start` (more precise errors than [`SchemaSet::check_response`]).
    pub fn check_start_reply(&self, message: &Value) -> Result<(), String> {
        errors(&self.start_reply, message)
    }

    /// Checks a reply to `run` (more precise errors than [`SchemaSet::check_response`]).
    pub fn check_run_reply(&self, message: &Value) -> Result<(), String> {
        errors(&self.run_reply, message)
    }

    /// Checks a run reply's `outcome` for `category`.
    pub fn check_outcome(&self, category: Category, outcome: &Value) -> Result<(), String> {
        match self.outcomes.iter().find(|(c, _)| *c == category) {
            Some((_, v)) => errors(v, outcome).map_err(|e| e.replace(" at `", " at `/outcome")),
            None => Err(format!("no outcome schema for {category}")),
        }
    }
}

/// Describes one error. For a failed `oneOf`/`anyOf` whose branches are told apart by a `const`
/// (the outcome's tag), the errors of the branch whose tag matched are more useful than "not
/// valid under any of the schemas", so those are given instead.
fn describe(e: &jsonschema::ValidationError<'_>, out: &mut Vec<String>) {
    use jsonschema::error::ValidationErrorKind as K;
    let context = match e.kind() {
        K::OneOfNotValid { context } | K::AnyOf { context } => Some(context),
        _ => None,
    };
    if let Some(context) = context {
        let matching: Vec<_> = context
            .iter()
            .filter(|branch| {
                !branch
                    .iter()
                    .any(|b| matches!(b.kind(), K::Constant { .. }))
            })
            .collect();
        if let [branch] = matching.as_slice()
            && !branch.is_empty()
        {
            for b in branch.iter() {
                describe(b, out);
            }
            return;
        }
    }
    out.push(format!("{e} at `{}`", e.instance_path()));
}

/// Up to three validation errors, each with its JSON pointer.
fn errors(v: &Validator, instance: &Value) -> Result<(), String> {
    let mut errs = Vec::new();
    for e in v.iter_errors(instance) {
        describe(&e, &mut errs);
    }
    errs.truncate(3);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_compile_and_judge() {
        let s = SchemaSet::compile().unwrap();
        s.check_request(&json!({"cmd": "start", "version": 1}))
            .unwrap();
        assert!(
            s.check_request(&json!({"cmd": "start", "version": 2}))
                .is_err()
        );
        s.check_request(&json!({"cmd": "run", "seq": 1, "case": "a/b/c",
            "category": "file-encryption", "input": {"plaintext": "AAAA"}}))
            .unwrap();
        assert!(
            s.check_request(&json!({"cmd": "run", "seq": 1, "case": "a/b/c",
            "category": "file-encryption", "input": {"plaintext": "AAAA"}, "extra": 1}))
                .is_err()
        );
        s.check_response(&json!({"seq": 3, "skipped": {"reason": "no"}}))
            .unwrap();
        assert!(
            s.check_response(&json!({"seq": 3, "skipped": {"reason": "no"}, "outcome": {}}))
                .is_err()
        );
        s.check_outcome(
            Category::FileDecryption,
            &json!({"outcome": "rejected", "reason": "hash"}),
        )
        .unwrap();
        let e = s
            .check_outcome(
                Category::FileDecryption,
                &json!({"outcome": "decrypted", "plaintext": 3}),
            )
            .unwrap_err();
        assert!(e.contains("/outcome"), "{e}");
        s.check_response(
            &json!({"version": 1, "implementation": {"name": "x", "version": "1",
            "language": "python", "categories": ["bundle-parsing"], "identifiers": ["stable"]}}),
        )
        .unwrap();
    }
}
