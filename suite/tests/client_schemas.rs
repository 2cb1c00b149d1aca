//! The JSON Schemas of the client-actor protocol, `protocol/client-request.schema.json` and
//! `protocol/client-response.schema.json`, are generated from the message types of
//! `msc4268_protocol::client` (schemars, feature `schema`). These tests fail when the committed
//! files differ from what the types generate; `MSC4268_BLESS_SCHEMAS=1` rewrites them instead:
//!
//! ```sh
//! MSC4268_BLESS_SCHEMAS=1 cargo test -p msc4268-suite --test client_schemas
//! ```
//!
//! They also check that the schemas say what the protocol means (a request needs `cmd` and its
//! command's members, a reply exactly one of `result`, `unsupported`, `failed`) by validating
//! example messages, good and bad.

use std::path::PathBuf;

use jsonschema::{Resource, Validator};
use msc4268_protocol::client::{
    Bundles, CLIENT_PROTOCOL_VERSION, ClientInfo, Command, CrossSigned, Done, Downloaded,
    EncryptedEvent, EventSent, HistoryVisibility, LoggedIn, Markers, Membership, Pending, Reading,
    Reply, ReplyBody, Request, RoomCreated, RoomKeys, Sent, Started,
};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

/// Set to rewrite the committed schemas from the types.
const BLESS_ENV: &str = "MSC4268_BLESS_SCHEMAS";

/// Where the protocol's schemas are published (the `$id`s), as for the adapter protocol.
const ID_BASE: &str = "https://example.invalid/msc4268-conformance/protocol/";

const REQUEST_FILE: &str = "client-request.schema.json";
const RESPONSE_FILE: &str = "client-response.schema.json";

/// Each command (but `stop`, which gets no reply) and the `$defs` entry of the response schema
/// its `result` must match.
const RESULTS: &[(&str, &str)] = &[
    ("start", "Started"),
    ("register", "LoggedIn"),
    ("login", "LoggedIn"),
    ("sync", "Done"),
    ("send_marker", "Sent"),
    ("markers", "Markers"),
    ("received_bundles", "Bundles"),
    ("create_room", "RoomCreated"),
    ("set_history_visibility", "Done"),
    ("send_text", "EventSent"),
    ("invite", "Done"),
    ("join", "Done"),
    ("leave", "Done"),
    ("membership", "Membership"),
    ("read_event", "Reading"),
    ("encrypted_event", "EncryptedEvent"),
    ("decrypt_event", "Reading"),
    ("download_bundle", "Downloaded"),
    ("pending_bundle", "Pending"),
    ("backdate_invite_acceptance", "Done"),
    ("room_keys", "RoomKeys"),
    ("device_cross_signed", "CrossSigned"),
    ("restart", "Done"),
];

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

/// Sets the schema's `$id`, title and description (replacing the ones schemars derives from the
/// root type's name and documentation).
fn describe(schema: Value, file: &str, title: &str, description: &str) -> Value {
    let mut schema = plain_docs(schema);
    if let Some(object) = schema.as_object_mut() {
        object.insert("$id".into(), format!("{ID_BASE}{file}").into());
        object.insert("title".into(), title.into());
        object.insert("description".into(), description.into());
    }
    schema
}

/// The schema of a message from the harness to an actor.
fn request_schema() -> Value {
    let schema = generator().into_root_schema_for::<Request>().to_value();
    describe(
        schema,
        REQUEST_FILE,
        &format!(
            "MSC4268 client-actor protocol, version {CLIENT_PROTOCOL_VERSION}: a request from the \
             harness to an actor"
        ),
        "One JSON object per line on the actor's standard input: `seq` (absent only on `stop`) \
         and a command named by `cmd`, with its arguments. See docs/client-protocol.md. \
         Generated from `Request` in harness/protocol/src/client.rs by \
         harness/protocol/tests/client_schemas.rs; do not edit.",
    )
}

/// The schema of a reply from an actor, with one `$defs` entry per result type.
fn response_schema() -> Value {
    let mut generator = generator();
    // Every result type goes into the definitions; the root schema then carries them all.
    generator.subschema_for::<Started>();
    generator.subschema_for::<LoggedIn>();
    generator.subschema_for::<Done>();
    generator.subschema_for::<Sent>();
    generator.subschema_for::<Markers>();
    generator.subschema_for::<Bundles>();
    generator.subschema_for::<RoomCreated>();
    generator.subschema_for::<EventSent>();
    generator.subschema_for::<Membership>();
    generator.subschema_for::<Reading>();
    generator.subschema_for::<EncryptedEvent>();
    generator.subschema_for::<Downloaded>();
    generator.subschema_for::<Pending>();
    generator.subschema_for::<RoomKeys>();
    generator.subschema_for::<CrossSigned>();
    let schema = generator.into_root_schema_for::<Reply>().to_value();
    let mut by_def: Vec<(&str, Vec<&str>)> = Vec::new();
    for (command, def) in RESULTS {
        match by_def.iter_mut().find(|(d, _)| d == def) {
            Some((_, commands)) => commands.push(command),
            None => by_def.push((def, vec![command])),
        }
    }
    let results: Vec<String> = by_def
        .iter()
        .map(|(def, commands)| format!("{} → `#/$defs/{def}`", commands.join(", ")))
        .collect();
    describe(
        schema,
        RESPONSE_FILE,
        &format!(
            "MSC4268 client-actor protocol, version {CLIENT_PROTOCOL_VERSION}: a reply from an \
             actor to the harness"
        ),
        &format!(
            "One JSON object per line on the actor's standard output, answering the request with \
             the same `seq`: exactly one of `result`, `unsupported` (the client cannot do this \
             command; the scenario needing it is skipped) or `failed` (it tried and failed). The \
             shape of `result` depends on the command: {}. See docs/client-protocol.md. \
             Generated from `Reply` and the result types in harness/protocol/src/client.rs by \
             harness/protocol/tests/client_schemas.rs; do not edit.",
            results.join("; ")
        ),
    )
}

/// `value` with its `description`s as plain text: rustdoc's intra-doc links (`` [`Started`] ``)
/// become code spans, and the line breaks of the doc comments spaces (paragraphs stay apart).
fn plain_docs(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(text) if k == "description" => {
                        let text = text.replace("[`", "`").replace("`]", "`");
                        let paragraphs: Vec<String> =
                            text.split("\n\n").map(|p| p.replace('\n', " ")).collect();
                        (k, Value::String(paragraphs.join("\n\n")))
                    }
                    v => (k, plain_docs(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(plain_docs).collect()),
        other => other,
    }
}

/// `value` with the members of every object in key order, whatever order serde_json keeps (its
/// `preserve_order` feature may be on in a workspace build and off in this crate's own).
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(String, Value)> = object.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, canonical(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// The file's text: pretty-printed, keys in order, with a trailing newline.
fn text(schema: Value) -> String {
    let mut text = serde_json::to_string_pretty(&canonical(schema)).expect("a schema serialises");
    text.push('\n');
    text
}

fn path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../protocol")
        .join(file)
}

/// Compares the committed file with the generated text, or writes it when blessing.
fn check_or_bless(file: &str, generated: &str) -> Result<(), String> {
    let path = path(file);
    if std::env::var_os(BLESS_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&path, generated).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
    let committed = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e}; generate it with `{BLESS_ENV}=1 cargo test -p msc4268-protocol --features \
             schema --test client_schemas`",
            path.display()
        )
    })?;
    if committed == generated {
        return Ok(());
    }
    let first = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
    Err(format!(
        "{} differs from what the types in harness/protocol/src/client.rs generate (first at \
         line {}: committed {:?}, generated {:?}); after an intended change to the types, \
         rewrite it with `{BLESS_ENV}=1 cargo test -p msc4268-protocol --features schema --test \
         client_schemas` and review the diff",
        path.display(),
        first + 1,
        committed.lines().nth(first).unwrap_or("<end of file>"),
        generated.lines().nth(first).unwrap_or("<end of file>"),
    ))
}

#[test]
fn committed_schemas_are_the_generated_ones() {
    let problems: Vec<String> = [
        (REQUEST_FILE, text(request_schema())),
        (RESPONSE_FILE, text(response_schema())),
    ]
    .iter()
    .filter_map(|(file, generated)| check_or_bless(file, generated).err())
    .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The validators of the generated schemas: the request, the reply, and one per result type.
struct Validators {
    request: Validator,
    reply: Validator,
    response: Value,
}

impl Validators {
    fn new() -> Self {
        let request = request_schema();
        let response = response_schema();
        Self {
            request: jsonschema::validator_for(&request).expect("the request schema compiles"),
            reply: jsonschema::validator_for(&response).expect("the response schema compiles"),
            response,
        }
    }

    /// The validator of `#/$defs/{def}` of the response schema.
    fn result(&self, def: &str) -> Validator {
        let id = format!("{ID_BASE}{RESPONSE_FILE}");
        assert!(
            self.response["$defs"].get(def).is_some(),
            "the response schema has no `$defs/{def}`"
        );
        jsonschema::options()
            .with_resource(id.clone(), Resource::from_contents(self.response.clone()))
            .build(&json!({"$ref": format!("{id}#/$defs/{def}")}))
            .unwrap_or_else(|e| panic!("`$defs/{def}` compiles: {e}"))
    }
}

fn errors(validator: &Validator, message: &Value) -> Vec<String> {
    validator
        .iter_errors(message)
        .map(|e| format!("{} at `{}`", e, e.instance_path()))
        .collect()
}

/// The result type that the reply to `command` carries.
fn result_def(command: &str) -> &'static str {
    RESULTS
        .iter()
        .find(|(c, _)| *c == command)
        .map(|(_, d)| *d)
        .unwrap_or_else(|| panic!("no result type listed for `{command}`"))
}

#[test]
fn every_command_has_a_listed_result_type() {
    let schema = request_schema();
    let mut commands = Vec::new();
    collect_cmd_consts(&schema, &mut commands);
    commands.sort();
    commands.dedup();
    let mut listed: Vec<&str> = RESULTS.iter().map(|(c, _)| *c).collect();
    listed.push("stop");
    listed.sort();
    assert_eq!(
        commands, listed,
        "commands in the request schema vs RESULTS"
    );
    let response = response_schema();
    for (_, def) in RESULTS {
        assert!(response["$defs"].get(def).is_some(), "no `$defs/{def}`");
    }
}

/// Every `const` of a `cmd` property anywhere in `schema`.
fn collect_cmd_consts(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            if let Some(name) = object
                .get("properties")
                .and_then(|p| p.get("cmd"))
                .and_then(|c| c.get("const"))
                .and_then(Value::as_str)
            {
                out.push(name.to_owned());
            }
            object.values().for_each(|v| collect_cmd_consts(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_cmd_consts(v, out)),
        _ => {}
    }
}

#[test]
fn example_requests_validate_and_round_trip() {
    let v = Validators::new();
    let examples = [
        json!({"seq": 0, "cmd": "start", "version": 1, "name": "Alice"}),
        json!({"seq": 0, "cmd": "start", "version": 1, "name": "Bob", "careless": true}),
        json!({"seq": 1, "cmd": "register", "homeserver": "http://127.0.0.1:8008",
               "localpart": "alice", "password": "alice-password",
               "device_name": "Alice's scenario device"}),
        json!({"seq": 1, "cmd": "login", "homeserver": "http://127.0.0.1:8008",
               "localpart": "bob", "password": "bob-password",
               "device_name": "Bob's second device", "cross_signing": false}),
        json!({"seq": 2, "cmd": "sync"}),
        json!({"seq": 3, "cmd": "create_room", "history_visibility": "shared"}),
        json!({"seq": 4, "cmd": "read_event", "room_id": "!r:hs", "event_id": "$e"}),
        json!({"seq": 5, "cmd": "read_event", "room_id": "!r:hs", "event_id": "$e",
               "via": "history"}),
        json!({"seq": 6, "cmd": "room_keys"}),
        json!({"seq": 7, "cmd": "decrypt_event", "room_id": "!r:hs",
               "event": {"type": "m.room.encrypted", "content": {}}}),
        json!({"cmd": "stop"}),
    ];
    for example in &examples {
        let e = errors(&v.request, example);
        assert!(e.is_empty(), "{example} does not validate: {e:?}");
        let request: Request = serde_json::from_value(example.clone())
            .unwrap_or_else(|e| panic!("{example} does not deserialise: {e}"));
        let back = serde_json::to_value(&request).expect("serialises");
        let again: Request = serde_json::from_value(back.clone()).expect("deserialises again");
        assert_eq!(request, again, "{example} → {back}");
        assert!(
            v.request.is_valid(&back),
            "the serialisation of {example}, {back}, does not validate"
        );
    }
    // What the harness sends validates too.
    let sent = serde_json::to_value(Request {
        seq: Some(9),
        command: Command::CreateRoom {
            history_visibility: HistoryVisibility::WorldReadable,
        },
    })
    .expect("serialises");
    assert!(v.request.is_valid(&sent), "{sent}");
}

#[test]
fn malformed_requests_do_not_validate() {
    let v = Validators::new();
    for (example, why) in [
        (json!({"seq": 1}), "no cmd"),
        (json!({"seq": 1, "cmd": "fly"}), "no such command"),
        (
            json!({"seq": 1, "cmd": "register", "homeserver": "http://h", "password": "p",
                   "device_name": "d"}),
            "register without localpart",
        ),
        (
            json!({"seq": 1, "cmd": "login", "homeserver": "http://h", "localpart": "l",
                   "password": "p", "device_name": "d"}),
            "login without cross_signing",
        ),
        (
            json!({"seq": 1, "cmd": "create_room", "history_visibility": "public"}),
            "no such visibility",
        ),
        (json!({"seq": 1, "cmd": "join"}), "join without room_id"),
        (
            json!({"seq": 1, "cmd": "backdate_invite_acceptance", "room_id": "!r:h",
                   "ago_ms": -5}),
            "negative ago_ms",
        ),
        (json!({"seq": -1, "cmd": "sync"}), "negative seq"),
    ] {
        assert!(
            !v.request.is_valid(&example),
            "{why}: {example} validates against the request schema"
        );
        assert!(
            serde_json::from_value::<Request>(example.clone()).is_err(),
            "{why}: {example} deserialises"
        );
    }
}

#[test]
fn example_replies_validate_and_round_trip() {
    let v = Validators::new();
    let examples = [
        (
            "start",
            json!({"seq": 0, "result": {"version": 1, "client": {"name": "matrix-sdk",
                   "version": "0.18.0", "language": "Rust", "careless": true}}}),
        ),
        (
            "register",
            json!({"seq": 1, "result": {"user_id": "@alice:localhost",
                   "device_id": "ABCDEFGHIJ"}}),
        ),
        ("sync", json!({"seq": 2, "result": {}})),
        (
            "received_bundles",
            json!({"seq": 3, "result": {"bundles": [{"sender": "@alice:localhost",
                   "sender_device": "ABCDEFGHIJ", "event_type": "m.room_key_bundle",
                   "room_id": "!r:localhost", "file": {"url": "mxc://localhost/x"}}]}}),
        ),
        (
            "read_event",
            json!({"seq": 4, "result": {"decrypted": {"body": "before Bob",
                   "session_id": "s", "forwarder": {"user_id": "@alice:localhost",
                   "device_id": "ABCDEFGHIJ"}}}}),
        ),
        (
            "read_event",
            json!({"seq": 5, "result": {"undecryptable": {"session_id": "s",
                   "withheld": "m.history_not_shared", "reason": "withheld"}}}),
        ),
        ("read_event", json!({"seq": 6, "result": "hidden"})),
        (
            "membership",
            json!({"seq": 7, "result": {"membership": null}}),
        ),
        (
            "pending_bundle",
            json!({"seq": 8, "result": {"pending": {"inviter": "@charlie:localhost",
                   "invite_accepted_at_ms": 1_700_000_000_000_u64}}}),
        ),
        (
            "backdate_invite_acceptance",
            json!({"seq": 9, "unsupported": {"reason": "this SDK keeps no such record"}}),
        ),
        (
            "join",
            json!({"seq": 10, "failed": {"message": "M_FORBIDDEN: not invited"}}),
        ),
    ];
    for (command, example) in &examples {
        let e = errors(&v.reply, example);
        assert!(e.is_empty(), "{example} does not validate: {e:?}");
        let reply: Reply = serde_json::from_value(example.clone())
            .unwrap_or_else(|e| panic!("{example} does not deserialise: {e}"));
        let back = serde_json::to_value(&reply).expect("serialises");
        assert_eq!(&back, example, "round trip");
        if let ReplyBody::Result(result) = &reply.body {
            let def = result_def(command);
            let e = errors(&v.result(def), result);
            assert!(e.is_empty(), "{command}: {result} is not a {def}: {e:?}");
        }
    }
    // Results as the Rust types serialise them validate against their definitions.
    let typed = [
        (
            "Started",
            serde_json::to_value(Started {
                version: CLIENT_PROTOCOL_VERSION,
                client: ClientInfo {
                    name: "python-example".into(),
                    version: "1.0.0".into(),
                    language: "Python".into(),
                    careless: false,
                },
            }),
        ),
        (
            "LoggedIn",
            serde_json::to_value(LoggedIn {
                user_id: "@bob:localhost".into(),
                device_id: "D".into(),
            }),
        ),
        ("Done", serde_json::to_value(Done {})),
        ("Sent", serde_json::to_value(Sent { nonce: "n".into() })),
        (
            "Markers",
            serde_json::to_value(Markers {
                markers: Vec::new(),
            }),
        ),
        (
            "Membership",
            serde_json::to_value(Membership {
                membership: Some("invite".into()),
            }),
        ),
        ("Reading", serde_json::to_value(Reading::Plain)),
        (
            "EncryptedEvent",
            serde_json::to_value(EncryptedEvent {
                event: json!({"type": "m.room.encrypted"}),
            }),
        ),
        (
            "Downloaded",
            serde_json::to_value(Downloaded {
                plaintext: "e30=".into(),
                ciphertext: "AAAA".into(),
            }),
        ),
        ("Pending", serde_json::to_value(Pending { pending: None })),
        (
            "RoomKeys",
            serde_json::to_value(RoomKeys {
                room_keys: vec![json!({"session_id": "s"})],
            }),
        ),
        (
            "CrossSigned",
            serde_json::to_value(CrossSigned { cross_signed: true }),
        ),
        (
            "RoomCreated",
            serde_json::to_value(RoomCreated {
                room_id: "!r:localhost".into(),
            }),
        ),
        (
            "EventSent",
            serde_json::to_value(EventSent {
                event_id: "$e".into(),
            }),
        ),
        (
            "Bundles",
            serde_json::to_value(Bundles {
                bundles: Vec::new(),
            }),
        ),
    ];
    for (def, value) in typed {
        let value = value.expect("serialises");
        let e = errors(&v.result(def), &value);
        assert!(e.is_empty(), "{value} is not a {def}: {e:?}");
    }
}

#[test]
fn malformed_replies_do_not_validate() {
    let v = Validators::new();
    for (example, why) in [
        (json!({"result": {}}), "no seq"),
        (json!({"seq": 1}), "neither result, unsupported nor failed"),
        (
            json!({"seq": 1, "unsupported": {}}),
            "unsupported without reason",
        ),
        (json!({"seq": 1, "failed": "boom"}), "failed not an object"),
    ] {
        assert!(
            !v.reply.is_valid(&example),
            "{why}: {example} validates against the response schema"
        );
        assert!(
            serde_json::from_value::<Reply>(example.clone()).is_err(),
            "{why}: {example} deserialises"
        );
    }
    // Exactly one: the schema refuses a reply with two bodies. (serde, reading a flattened enum,
    // takes the first member that names a variant and ignores the other.)
    let both = json!({"seq": 1, "result": {}, "failed": {"message": "m"}});
    assert!(!v.reply.is_valid(&both), "{both} validates");
    for (def, result, why) in [
        ("LoggedIn", json!({"user_id": "@a:h"}), "no device_id"),
        (
            "LoggedIn",
            json!({"user_id": "@a:h", "device_id": "D", "token": "t"}),
            "an unknown member",
        ),
        ("Started", json!({"version": 1}), "no client"),
        (
            "Reading",
            json!({"decrypted": {"session_id": "s"}}),
            "decrypted without body",
        ),
        ("Reading", json!("garbled"), "no such reading"),
        (
            "CrossSigned",
            json!({"cross_signed": "yes"}),
            "not a boolean",
        ),
    ] {
        assert!(
            !v.result(def).is_valid(&result),
            "{why}: {result} validates as {def}"
        );
    }
}
