//! The one way every category writes its cases: a [`Spec`] says what a case is about (its name,
//! rules, comment and bug classes), and a [`GroupBuilder`] turns a spec, a verdict, an input and an
//! expected outcome into a case of its group, named `<category>/<group>/<name>`.

use std::ops::{Deref, DerefMut};

use serde_json::{Map, Value};

use msc4268_corpus::fixture::{BugClass, CaseDef, GroupDef, Verdict};
use msc4268_protocol::cases::Category;
use msc4268_protocol::identifiers::IdentifierVariant;

use crate::{GeneratedFile, case, file, group};

/// What a case is about, independent of its input and outcome.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    /// Last segment of the case id.
    pub name: &'a str,
    /// Rules, main first.
    pub rules: &'a [&'a str],
    /// What is checked and why the expectation is right.
    pub comment: &'a str,
    /// Bug classes.
    pub flags: &'a [BugClass],
}

/// A [`Spec`] from its four parts.
pub fn spec<'a>(
    name: &'a str,
    rules: &'a [&'a str],
    comment: &'a str,
    flags: &'a [BugClass],
) -> Spec<'a> {
    Spec {
        name,
        rules,
        comment,
        flags,
    }
}

/// A group under construction, naming its cases `<category>/<group>/<name>`. It reads and writes
/// as the [`GroupDef`] it builds (its id, context and cases).
#[derive(Debug, Clone)]
pub struct GroupBuilder {
    category: Category,
    group: GroupDef,
}

impl GroupBuilder {
    /// A new group of `category` with an empty context.
    pub fn new(
        category: Category,
        id: &str,
        description: &str,
        identifiers: IdentifierVariant,
    ) -> Self {
        Self {
            category,
            group: group(id, description, identifiers),
        }
    }

    /// The same group with `context` as its context.
    pub fn with_context(mut self, context: Map<String, Value>) -> Self {
        self.group.context = context;
        self
    }

    /// The id of this group's case `name`.
    pub fn case_id(&self, name: &str) -> String {
        format!("{}/{}/{name}", self.category.as_str(), self.group.id)
    }

    /// Adds a case and returns it (to add `also_acceptable` outcomes).
    pub fn push(
        &mut self,
        spec: Spec<'_>,
        result: Verdict,
        input: Value,
        expected: Value,
    ) -> &mut CaseDef {
        let c = case(
            self.case_id(spec.name),
            spec.rules,
            spec.comment,
            spec.flags,
            result,
            input,
            expected,
        );
        let cases = &mut self.group.cases;
        cases.push(c);
        let last = cases.len() - 1;
        &mut cases[last]
    }

    /// Adds a `valid` case.
    pub fn valid(&mut self, spec: Spec<'_>, input: Value, expected: Value) -> &mut CaseDef {
        self.push(spec, Verdict::Valid, input, expected)
    }

    /// Adds an `invalid` case.
    pub fn invalid(&mut self, spec: Spec<'_>, input: Value, expected: Value) -> &mut CaseDef {
        self.push(spec, Verdict::Invalid, input, expected)
    }

    /// Adds an `acceptable` case: `expected` is the reference model's reading, `also` the others.
    pub fn acceptable(
        &mut self,
        spec: Spec<'_>,
        input: Value,
        expected: Value,
        also: Vec<Value>,
    ) -> &mut CaseDef {
        let c = self.push(spec, Verdict::Acceptable, input, expected);
        c.also_acceptable = also;
        c
    }

    /// The finished group.
    pub fn finish(self) -> GroupDef {
        self.group
    }
}

impl Deref for GroupBuilder {
    type Target = GroupDef;

    fn deref(&self) -> &GroupDef {
        &self.group
    }
}

impl DerefMut for GroupBuilder {
    fn deref_mut(&mut self) -> &mut GroupDef {
        &mut self.group
    }
}

/// A fixture file of `category` at `<category>/<name>.json` holding `groups`, written by the
/// generator module `module` (pass `module_path!()`).
pub fn new_file(
    category: Category,
    module: &str,
    name: &str,
    description: &str,
    groups: Vec<GroupBuilder>,
) -> GeneratedFile {
    let mut f = file(category, name, description, module);
    f.file.groups = groups.into_iter().map(GroupBuilder::finish).collect();
    f
}
