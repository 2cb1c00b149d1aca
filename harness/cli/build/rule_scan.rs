//! Finds the rule ids (`R15`, `A3`, `B1`, `O5`, `X2`) that Rust sources name in string literals.
//!
//! One scanner, two users: the CLI's build script indexes where the reference model names each
//! rule (for `msc4268 rules <ID>`), and the suite's `rule_ids` test checks that every id the
//! harness names is in the rule catalogue. Both include this file with `#[path]`, so they read the
//! sources the same way.
//!
//! It is a small lexer, not a parser. It knows comments, string, raw-string, byte-string and
//! character literals, lifetimes, braces, `fn NAME` and `#[cfg(test)]`: enough to find every
//! string literal that is exactly a rule id, its line, the function around it, and whether it is
//! test code.

use std::path::Path;

/// The letters rule ids start with: `R` (digest), `A` (attachments), `B` (bundle format), `O` (Olm
/// validation), `X` (sender trust).
pub const RULE_FAMILIES: [char; 5] = ['R', 'A', 'B', 'O', 'X'];

/// Whether `s` is spelled like a rule id: a family letter and one to three digits, the first not 0.
pub fn is_rule_id(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(family) = chars.next() else {
        return false;
    };
    let digits = chars.as_str();
    RULE_FAMILIES.contains(&family)
        && (1..=3).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// A string literal that is exactly a rule id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleLiteral {
    /// The rule id, e.g. `R33`.
    pub rule: String,
    /// 1-based line of the literal.
    pub line: u32,
    /// The innermost `fn` around the literal, if any.
    pub function: Option<String>,
    /// Whether the literal is inside a `#[cfg(test)]` item.
    pub in_test: bool,
}

/// A [`RuleLiteral`] and the file it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRuleLiteral {
    /// Path of the file relative to the root given to [`scan_tree`], `/`-separated.
    pub file: String,
    /// The literal.
    pub literal: RuleLiteral,
}

/// Every rule-id literal in every `.rs` file under `dir`, files in path order; paths are relative
/// to `root` (which must be a prefix of `dir`).
pub fn scan_tree(root: &Path, dir: &Path) -> std::io::Result<Vec<FileRuleLiteral>> {
    let mut files = Vec::new();
    rust_files(dir, &mut files)?;
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path)?;
        let file = relative(root, &path);
        out.extend(
            scan_source(&text)
                .into_iter()
                .map(|literal| FileRuleLiteral {
                    file: file.clone(),
                    literal,
                }),
        );
    }
    Ok(out)
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every rule-id literal in one Rust source text, in order.
pub fn scan_source(text: &str) -> Vec<RuleLiteral> {
    Lexer::new(text).run()
}

/// What an open brace belongs to.
enum Scope {
    /// The body of `fn NAME`.
    Function(String),
    /// An item marked `#[cfg(test)]`.
    Test,
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: u32,
    /// Open scopes, each with the brace depth it was opened at.
    scopes: Vec<(u32, Scope)>,
    depth: u32,
    /// Open `(` and `[` inside the current brace, and the counts of the enclosing braces.
    nesting: u32,
    outer_nesting: Vec<u32>,
    /// `fn` was the last token: the next identifier is a function name.
    after_fn: bool,
    /// A function name whose body has not opened yet.
    pending_fn: Option<String>,
    /// `#[cfg(test)]` was seen and its item has not opened a brace yet.
    pending_test: bool,
    out: Vec<RuleLiteral>,
}

impl Lexer {
    fn new(text: &str) -> Self {
        Self {
            chars: text.chars().collect(),
            pos: 0,
            line: 1,
            scopes: Vec::new(),
            depth: 0,
            nesting: 0,
            outer_nesting: Vec::new(),
            after_fn: false,
            pending_fn: None,
            pending_test: false,
            out: Vec::new(),
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn run(mut self) -> Vec<RuleLiteral> {
        while let Some(c) = self.peek(0) {
            if c == '_' || c.is_alphabetic() {
                self.identifier();
                continue;
            }
            if !c.is_whitespace() {
                self.after_fn = false;
            }
            self.punctuation(c);
        }
        self.out
    }

    fn punctuation(&mut self, c: char) {
        match (c, self.peek(1)) {
            ('/', Some('/')) => self.line_comment(),
            ('/', Some('*')) => self.block_comment(),
            ('"', _) => {
                self.bump();
                self.string();
            }
            ('\'', _) => self.quote(),
            ('#', _) => self.hash(),
            ('{', _) => self.open_brace(),
            ('}', _) => self.close_brace(),
            _ => {
                self.bump();
                match c {
                    '(' | '[' => self.nesting += 1,
                    ')' | ']' => self.nesting = self.nesting.saturating_sub(1),
                    ';' if self.nesting == 0 => {
                        self.pending_fn = None;
                        self.pending_test = false;
                    }
                    _ => {}
                }
            }
        }
    }

    fn identifier(&mut self) {
        let start = self.pos;
        while self
            .peek(0)
            .is_some_and(|c| c == '_' || c.is_alphanumeric())
        {
            self.bump();
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        match (word.as_str(), self.peek(0)) {
            ("r" | "br" | "cr", Some('"' | '#')) if self.raw_string_ahead() => {
                self.raw_string();
                return;
            }
            ("b" | "c", Some('"')) => {
                self.bump();
                self.string();
                return;
            }
            _ => {}
        }
        if self.after_fn {
            self.pending_fn = Some(word.clone());
        }
        self.after_fn = word == "fn";
    }

    fn line_comment(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.bump();
        }
    }

    fn block_comment(&mut self) {
        let mut open = 0u32;
        while let Some(c) = self.peek(0) {
            match (c, self.peek(1)) {
                ('/', Some('*')) => {
                    open += 1;
                    self.pos += 2;
                }
                ('*', Some('/')) => {
                    open -= 1;
                    self.pos += 2;
                    if open == 0 {
                        return;
                    }
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    /// A string literal whose opening quote was consumed.
    fn string(&mut self) {
        let line = self.line;
        let mut text = String::new();
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                    text.push('\\');
                }
                '"' => break,
                c => text.push(c),
            }
        }
        self.literal(text, line);
    }

    /// After `r`, `br` or `cr`: whether `#`* `"` follows (and not a raw identifier `r#name`).
    fn raw_string_ahead(&self) -> bool {
        let mut ahead = 0;
        while self.peek(ahead) == Some('#') {
            ahead += 1;
        }
        self.peek(ahead) == Some('"')
    }

    /// A raw string literal, from its `#`s or opening quote.
    fn raw_string(&mut self) {
        let line = self.line;
        let mut hashes = 0;
        while self.peek(0) == Some('#') {
            self.bump();
            hashes += 1;
        }
        self.bump();
        let mut text = String::new();
        while let Some(c) = self.bump() {
            if c == '"' && (0..hashes).all(|i| self.peek(i) == Some('#')) {
                self.pos += hashes;
                break;
            }
            text.push(c);
        }
        self.literal(text, line);
    }

    /// A character literal (`'x'`, `'\n'`, `'\u{7f}'`) or a lifetime or label (`'a`).
    fn quote(&mut self) {
        self.bump();
        if self.peek(0) == Some('\\') {
            self.bump();
            self.bump();
            while self.peek(0).is_some_and(|c| c != '\'' && c != '\n') {
                self.bump();
            }
            self.bump();
        } else if self.peek(1) == Some('\'') {
            self.bump();
            self.bump();
        }
    }

    fn hash(&mut self) {
        const CFG_TEST: &str = "#[cfg(test)]";
        let mut wanted = CFG_TEST.chars().peekable();
        let mut ahead = 0;
        while let (Some(&w), Some(c)) = (wanted.peek(), self.peek(ahead)) {
            if c == w {
                wanted.next();
            } else if !c.is_whitespace() {
                break;
            }
            ahead += 1;
        }
        if wanted.peek().is_none() {
            self.pending_test = true;
        }
        self.bump();
    }

    fn open_brace(&mut self) {
        self.bump();
        self.depth += 1;
        self.outer_nesting.push(self.nesting);
        self.nesting = 0;
        if std::mem::take(&mut self.pending_test) {
            self.scopes.push((self.depth, Scope::Test));
        }
        if let Some(name) = self.pending_fn.take() {
            self.scopes.push((self.depth, Scope::Function(name)));
        }
    }

    fn close_brace(&mut self) {
        self.bump();
        while self.scopes.last().is_some_and(|(d, _)| *d == self.depth) {
            self.scopes.pop();
        }
        self.depth = self.depth.saturating_sub(1);
        self.nesting = self.outer_nesting.pop().unwrap_or(0);
    }

    fn literal(&mut self, text: String, line: u32) {
        if !is_rule_id(&text) {
            return;
        }
        let function = self.scopes.iter().rev().find_map(|(_, s)| match s {
            Scope::Function(name) => Some(name.clone()),
            Scope::Test => None,
        });
        let in_test = self.scopes.iter().any(|(_, s)| matches!(s, Scope::Test));
        self.out.push(RuleLiteral {
            rule: text,
            line,
            function,
            in_test,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, u32, Option<String>, bool)> {
        scan_source(text)
            .into_iter()
            .map(|l| (l.rule, l.line, l.function, l.in_test))
            .collect()
    }

    #[test]
    fn rule_ids_are_a_family_letter_and_digits() {
        for id in ["R1", "R45", "A12", "B4", "O8", "X2", "R999"] {
            assert!(is_rule_id(id), "{id}");
        }
        for not in [
            "", "R", "R0", "R01", "R1000", "D10", "S1", "A256CTR", "r1", "R1 ", "RR1",
        ] {
            assert!(!is_rule_id(not), "{not}");
        }
    }

    #[test]
    fn finds_literals_with_line_and_function() {
        let src = "fn check() -> Result<(), V> {\n    Err(V::new(\n        \"R33\",\n        \"/invite\",\n    ))\n}\nfn other() { let _ = \"A3\"; }\n";
        assert_eq!(
            found(src),
            [
                ("R33".into(), 3, Some("check".into()), false),
                ("A3".into(), 7, Some("other".into()), false),
            ]
        );
    }

    #[test]
    fn comments_chars_and_raw_strings_do_not_confuse_it() {
        let src = r####"
// "R1" in a comment
/* "R2" /* nested "R3" */ still a comment "R4" */
fn f<'a>(x: &'a str) -> [u8; 2] {
    let brace = '{';
    let quote = '"';
    let escaped = '\'';
    let raw = r#"a "quoted" R5"#;
    let exact = r#"R6"#;
    let escape = "\"R7\"";
    "X1"
}
"####;
        assert_eq!(
            found(src),
            [
                ("R6".into(), 9, Some("f".into()), false),
                ("X1".into(), 11, Some("f".into()), false),
            ]
        );
    }

    #[test]
    fn test_modules_are_marked_and_closed() {
        let src = "fn a() { \"R1\"; }\n#[cfg(test)]\nmod tests {\n    fn t() { \"R2\"; }\n}\nfn b() { \"R3\"; }\n";
        assert_eq!(
            found(src),
            [
                ("R1".into(), 1, Some("a".into()), false),
                ("R2".into(), 4, Some("t".into()), true),
                ("R3".into(), 6, Some("b".into()), false),
            ]
        );
    }

    #[test]
    fn a_declaration_without_a_body_does_not_name_the_next_block() {
        let src = "trait T { fn f(&self); }\nconst C: &str = \"B1\";\n#[cfg(test)]\nuse x;\nstatic S: [&str; 1] = [\"B2\"];\n";
        assert_eq!(
            found(src),
            [("B1".into(), 2, None, false), ("B2".into(), 5, None, false)]
        );
    }
}
