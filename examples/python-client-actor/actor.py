#!/usr/bin/env python3
"""Example actor of the MSC4268 client-actor protocol, in Python with the standard library only.

It speaks the client-actor protocol, version 1 (harness/protocol/src/client.rs): one JSON request
per line on stdin, one JSON reply per line on stdout, nothing else on stdout, logs on stderr.
Run a scenario pair with it as Bob (the path must be absolute: cargo runs the scenarios in
`scenarios/`):

    ACTOR="cmd:python3 $PWD/examples/python-client-actor/actor.py"
    MSC4268_CLIENT_PAIRS="alice=matrix-sdk@0.18.0,bob=$ACTOR" \\
        cargo test --workspace --test scenarios -- --skip careless/

This client has no end-to-end encryption: Python's standard library has no Olm, Megolm, AES or
Ed25519, and the example uses no third-party package. It therefore does, with the Matrix
client-server API v3 and `urllib.request`, only what needs no encryption (sync, membership,
plain to-device markers, creating rooms, joining, leaving, fetching events), and answers
`unsupported`, with the precise reason, to every command whose protocol meaning needs
encryption, so the harness reports the scenarios that need them as ignored instead of passing
or failing them on the strength of a client that could not try. That includes `register` and
`login`: the protocol's `register` promises uploaded device keys and bootstrapped
cross-signing. With MSC4268_PY_ACTOR_NO_E2EE=1 set they register or log in a device *without*
keys, for demonstrating the protocol only (see README.md).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

JSON = dict[str, Any]

PROTOCOL_VERSION = 1
CLIENT_INFO: JSON = {
    "name": "python-example-actor",
    "version": "0.1.0",
    "language": "Python",
    "careless": False,
}
NO_E2EE_ENV = "MSC4268_PY_ACTOR_NO_E2EE"
MARKER_EVENT_TYPE = "org.msc4268.scenario.marker"
MEGOLM = "m.megolm.v1.aes-sha2"
VISIBILITIES = ("world_readable", "shared", "invited", "joined")
WAIT_S = 20.0  # how long a command waits for the server (as the matrix-sdk actor does)
HTTP_TIMEOUT_S = 30.0  # per request; the harness gives a whole command 90 s

NO_E2EE = (
    "this actor has no end-to-end encryption (Python's standard library has no Olm, Megolm, AES or Ed25519)"
)
NOT_REGISTERED = (
    "{cmd} must upload the device's keys (Curve25519/Ed25519 identity and one-time keys) and "
    "bootstrap cross-signing, and " + NO_E2EE + "; set " + NO_E2EE_ENV + "=1 to {cmd} a device "
    "without keys, for protocol demonstrations only"
)
# Commands whose protocol meaning needs encryption. An empty or negative answer would be a lie:
# absence checks would pass against a client that could not have found anything.
E2EE_ONLY: dict[str, str] = {
    "send_text": "send_text sends an encrypted (Megolm) m.text message and " + NO_E2EE,
    "received_bundles": "room key bundles arrive as Olm-encrypted to-device events "
    "(m.room.encrypted) and " + NO_E2EE + ", so it cannot tell whether it received any",
    "decrypt_event": "decrypting an event needs its Megolm session and " + NO_E2EE,
    "download_bundle": "an EncryptedFile is AES-256-CTR encrypted and " + NO_E2EE,
    "room_keys": "this actor holds no Megolm sessions at all: " + NO_E2EE,
    "pending_bundle": "this actor never imports room key bundles (" + NO_E2EE + "), so it keeps "
    "no record of accepted invites awaiting one",
    "backdate_invite_acceptance": "this actor never imports room key bundles (" + NO_E2EE + "), "
    "so it has no invite-acceptance record to backdate",
    "device_cross_signed": "checking cross-signatures needs Ed25519 signature verification and " + NO_E2EE,
    "restart": "this actor keeps its session in memory only (no store to restart on) and has no "
    "history-sharing switch, since " + NO_E2EE,
}


class Unsupported(Exception):
    """The command is answered `unsupported` with this reason."""


class Failed(Exception):
    """The command is answered `failed` with this message."""


def log(message: str) -> None:
    """Logs to stderr (stdout carries protocol replies only)."""
    print(f"python-actor: {message}", file=sys.stderr, flush=True)


def segment(value: str) -> str:
    """A URL path segment (room ids hold `!` and `:`)."""
    return urllib.parse.quote(value, safe="")


class Http:
    """The client-server API over urllib, with an optional access token."""

    def __init__(self, base_url: str, access_token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        # No proxies: the homeserver under test is local, whatever *_proxy says.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(
        self,
        method: str,
        path: str,
        body: JSON | None = None,
        query: dict[str, str] | None = None,
        allow: tuple[int, ...] = (),
    ) -> tuple[int, JSON]:
        """Sends a request to `/_matrix/client/v3{path}`; returns the status and JSON body.

        A status outside 2xx raises `Failed` (with the status and the Matrix errcode) unless it
        is in `allow`.
        """
        url = f"{self.base_url}/_matrix/client/v3{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=HTTP_TIMEOUT_S) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            raise Failed(f"{method} {path}: {getattr(e, 'reason', e)}") from e
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {}
        if not isinstance(parsed, dict):
            parsed = {}
        if not 200 <= status < 300 and status not in allow:
            errcode = parsed.get("errcode", "no errcode")
            error = parsed.get("error") or raw[:200].decode(errors="replace")
            raise Failed(f"{method} {path}: HTTP {status} {errcode}: {error}")
        return status, parsed


@dataclass
class RoomView:
    """What the client knows of a room from its syncs."""

    section: str | None = None  # the sync section it was last in: join, invite, leave, knock
    state: dict[tuple[str, str], JSON] = field(default_factory=dict)

    def apply(self, event: JSON) -> None:
        """Records a state event (full or stripped); ignores other events."""
        if (
            isinstance(event, dict)
            and isinstance(event.get("state_key"), str)
            and isinstance(event.get("type"), str)
        ):
            content = event.get("content")
            self.state[(event["type"], event["state_key"])] = content if isinstance(content, dict) else {}

    def member(self, user_id: str) -> str | None:
        """The user's membership in the room's state, if any."""
        m = self.state.get(("m.room.member", user_id), {}).get("membership")
        return m if isinstance(m, str) else None

    def is_encrypted(self) -> bool:
        """Whether the room's state has `m.room.encryption`."""
        return ("m.room.encryption", "") in self.state


class Client:
    """A logged-in user's device, without end-to-end encryption, and what its syncs recorded."""

    def __init__(self, http: Http, user_id: str, device_id: str) -> None:
        self.http, self.user_id, self.device_id = http, user_id, device_id
        self.since: str | None = None
        self.rooms: dict[str, RoomView] = {}
        self.markers: list[JSON] = []

    def sync(self) -> None:
        """One `/sync` without long-polling: records markers and room state and membership."""
        query = {"timeout": "0"}
        if self.since:
            query["since"] = self.since
        _, body = self.http.call("GET", "/sync", query=query)
        for event in body.get("to_device", {}).get("events", []):
            self.receive_to_device(event)
        rooms = body.get("rooms", {})
        for section, state_key in (
            ("join", "state"),
            ("leave", "state"),
            ("invite", "invite_state"),
            ("knock", "knock_state"),
        ):
            for room_id, room in rooms.get(section, {}).items():
                view = self.rooms.setdefault(room_id, RoomView())
                view.section = section
                events = list(room.get(state_key, {}).get("events", []))
                events += room.get("timeline", {}).get("events", [])  # absent for invite, knock
                for event in events:
                    view.apply(event)
        if not isinstance(body.get("next_batch"), str):
            raise Failed("the /sync response has no next_batch")
        self.since = body["next_batch"]

    def receive_to_device(self, event: JSON) -> None:
        """Records a plain scenario marker; notes what it cannot read."""
        kind, sender, content = event.get("type"), event.get("sender"), event.get("content", {})
        if kind == MARKER_EVENT_TYPE and isinstance(sender, str) and isinstance(content.get("nonce"), str):
            self.markers.append({"sender": sender, "nonce": content["nonce"]})
        elif kind == "m.room.encrypted":
            log(f"cannot decrypt an Olm to-device event from {sender}: no end-to-end encryption")

    def sync_until(self, what: str, done: Callable[[], bool]) -> None:
        """Syncs until `done()` holds, at most WAIT_S."""
        start = time.monotonic()
        while True:
            self.sync()
            if done():
                return
            if time.monotonic() - start > WAIT_S:
                raise Failed(f"timed out after {WAIT_S:.0f} s waiting until {what}")
            time.sleep(0.1)

    def room(self, room_id: str) -> RoomView:
        return self.rooms.get(room_id) or RoomView()

    def membership(self, room_id: str, user_id: str) -> str | None:
        """`user_id`'s membership as the syncs so far show it (no request)."""
        view = self.rooms.get(room_id)
        if view is None:
            return None
        if user_id == self.user_id:
            if view.section == "leave" and view.member(user_id) == "ban":
                return "ban"
            return view.section
        return view.member(user_id)

    def send_marker(self, user_id: str, device_id: str) -> str:
        """Sends the device a plain `org.msc4268.scenario.marker` to-device event; its nonce."""
        nonce = secrets.token_urlsafe(16)
        path = f"/sendToDevice/{segment(MARKER_EVENT_TYPE)}/{segment(secrets.token_hex(16))}"
        self.http.call("PUT", path, {"messages": {user_id: {device_id: {"nonce": nonce}}}})
        return nonce

    def create_room(self, visibility: str) -> str:
        """Creates a private room with `m.room.encryption` (Megolm) and this history visibility,
        and syncs until it sees the room encrypted."""
        encryption = {"algorithm": MEGOLM, "rotation_period_ms": 604_800_000, "rotation_period_msgs": 100}
        _, body = self.http.call(
            "POST",
            "/createRoom",
            {
                "preset": "private_chat",
                "initial_state": [
                    {"type": "m.room.encryption", "state_key": "", "content": encryption},
                    {
                        "type": "m.room.history_visibility",
                        "state_key": "",
                        "content": {"history_visibility": visibility},
                    },
                ],
            },
        )
        room_id = body.get("room_id")
        if not isinstance(room_id, str):
            raise Failed("the createRoom response has no room_id")
        self.sync_until("it sees the room's encryption", lambda: self.room(room_id).is_encrypted())
        return room_id

    def set_history_visibility(self, room_id: str, visibility: str) -> None:
        """Sends `m.room.history_visibility`; syncs until the room's state has it."""
        path = f"/rooms/{segment(room_id)}/state/m.room.history_visibility/"
        self.http.call("PUT", path, {"history_visibility": visibility})
        self.sync_until(
            f"it sees visibility {visibility}",
            lambda: (
                self.room(room_id).state.get(("m.room.history_visibility", ""), {}).get("history_visibility")
                == visibility
            ),
        )

    def is_encrypted(self, room_id: str) -> bool:
        """Whether the room has `m.room.encryption`, as the server says."""
        status, _ = self.http.call("GET", f"/rooms/{segment(room_id)}/state/m.room.encryption/", allow=(404,))
        return status != 404

    def invite(self, room_id: str, user_id: str) -> None:
        """A plain invite (no history sharing)."""
        self.http.call("POST", f"/rooms/{segment(room_id)}/invite", {"user_id": user_id})

    def join(self, room_id: str) -> None:
        """Joins; like matrix-sdk, the client then counts itself joined before its next sync."""
        self.http.call("POST", f"/join/{segment(room_id)}", {})
        self.rooms.setdefault(room_id, RoomView()).section = "join"

    def leave(self, room_id: str) -> None:
        """Leaves; the client then counts itself left."""
        self.http.call("POST", f"/rooms/{segment(room_id)}/leave", {})
        self.rooms.setdefault(room_id, RoomView()).section = "leave"

    def event(self, room_id: str, event_id: str) -> JSON | None:
        """The event as the server serves it to this user; None on 404."""
        status, body = self.http.call(
            "GET", f"/rooms/{segment(room_id)}/event/{segment(event_id)}", allow=(404,)
        )
        return None if status == 404 else body

    def event_in_history(self, room_id: str, event_id: str) -> JSON | None:
        """The event among the room's last 100 (backward pagination); None if not there."""
        _, body = self.http.call(
            "GET", f"/rooms/{segment(room_id)}/messages", query={"dir": "b", "limit": "100"}
        )
        return next((e for e in body.get("chunk", []) if e.get("event_id") == event_id), None)


def open_session(request: JSON, register: bool) -> Client:
    """Registers (open registration, `m.login.dummy`) or logs in a device without keys; syncs once."""
    http = Http(text(request, "homeserver"))
    localpart, password = text(request, "localpart"), text(request, "password")
    device_name = text(request, "device_name")
    if register:
        body: JSON = {"username": localpart, "password": password, "initial_device_display_name": device_name}
        status, reply = http.call("POST", "/register", body, allow=(401,))
        if status == 401:  # user-interactive auth: complete the dummy stage of this session
            flows = reply.get("flows", [])
            if not any(f.get("stages") == ["m.login.dummy"] for f in flows if isinstance(f, dict)):
                raise Failed(f"registration offers no m.login.dummy flow: {flows}")
            body["auth"] = {"type": "m.login.dummy", "session": reply.get("session")}
            _, reply = http.call("POST", "/register", body)
    else:
        _, reply = http.call(
            "POST",
            "/login",
            {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": localpart},
                "password": password,
                "initial_device_display_name": device_name,
            },
        )
    user_id, device_id, token = reply.get("user_id"), reply.get("device_id"), reply.get("access_token")
    if not (isinstance(user_id, str) and isinstance(device_id, str) and isinstance(token, str)):
        raise Failed(
            f"the {'register' if register else 'login'} response lacks user_id, device_id or access_token"
        )
    http.access_token = token
    client = Client(http, user_id, device_id)
    client.sync()
    return client


# ------------------------------------------------------------------------------------------------
# Requests: arguments, commands, replies.


def text(request: JSON, key: str) -> str:
    """A required string argument."""
    value = request.get(key)
    if not isinstance(value, str):
        raise Failed(f"malformed request: `{key}` must be a string")
    return value


def flag(request: JSON, key: str, default: bool | None = None) -> bool:
    """A boolean argument (required unless it has a default)."""
    value = request.get(key, default)
    if not isinstance(value, bool):
        raise Failed(f"malformed request: `{key}` must be a boolean")
    return value


def visibility(request: JSON) -> str:
    """The required `history_visibility` argument."""
    value = request.get("history_visibility")
    if not isinstance(value, str) or value not in VISIBILITIES:
        raise Failed(f"malformed request: `history_visibility` must be one of {', '.join(VISIBILITIES)}")
    return value


class Actor:
    """One actor process: who it plays and, once registered, its client."""

    def __init__(self) -> None:
        self.name = "?"
        self.client: Client | None = None

    def logged_in(self) -> Client:
        if self.client is None:
            raise Failed("no user is registered or logged in yet")
        return self.client

    def handle(self, request: JSON) -> JSON:
        """The reply body (`result`, `unsupported` or `failed`) for a request other than `stop`."""
        cmd = request.get("cmd")
        try:
            if not isinstance(cmd, str):
                raise Failed("malformed request: no `cmd`")
            if cmd in E2EE_ONLY:
                raise Unsupported(E2EE_ONLY[cmd])
            handler = getattr(self, f"cmd_{cmd}", None)
            if handler is None:
                raise Unsupported(f"this actor does not know the command `{cmd}`")
            return {"result": handler(request)}
        except Unsupported as e:
            return {"unsupported": {"reason": str(e)}}
        except Failed as e:
            return {"failed": {"message": str(e)}}
        except Exception as e:  # a bug of this actor: report it and keep serving
            log(traceback.format_exc())
            return {"failed": {"message": f"actor error: {type(e).__name__}: {e}"}}

    def cmd_start(self, request: JSON) -> JSON:
        version = request.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise Failed("malformed request: `version` must be an integer")
        if version != PROTOCOL_VERSION:
            raise Failed(
                f"the harness speaks client protocol version {version}, this actor {PROTOCOL_VERSION}"
            )
        self.name = text(request, "name")
        if flag(request, "careless", False):
            log(f"{self.name}: cannot be careless (it imports no bundles at all); declaring careless: false")
        return {"version": PROTOCOL_VERSION, "client": CLIENT_INFO}

    def log_in(self, request: JSON, register: bool) -> JSON:
        cmd = "register" if register else "login"
        if not register:
            flag(request, "cross_signing")
        if os.environ.get(NO_E2EE_ENV) != "1":
            raise Unsupported(NOT_REGISTERED.format(cmd=cmd))
        if self.client is not None:
            raise Failed("this actor already has a logged-in client; start another actor")
        self.client = open_session(request, register)
        who = f"{self.client.user_id} device {self.client.device_id}"
        log(f"{self.name}: {cmd}ed {who} WITHOUT keys ({NO_E2EE_ENV}=1)")
        return {"user_id": self.client.user_id, "device_id": self.client.device_id}

    def cmd_register(self, request: JSON) -> JSON:
        return self.log_in(request, register=True)

    def cmd_login(self, request: JSON) -> JSON:
        return self.log_in(request, register=False)

    def cmd_sync(self, request: JSON) -> JSON:
        self.logged_in().sync()
        return {}

    def cmd_send_marker(self, request: JSON) -> JSON:
        return {"nonce": self.logged_in().send_marker(text(request, "user_id"), text(request, "device_id"))}

    def cmd_markers(self, request: JSON) -> JSON:
        return {"markers": list(self.logged_in().markers)}

    def cmd_create_room(self, request: JSON) -> JSON:
        return {"room_id": self.logged_in().create_room(visibility(request))}

    def cmd_set_history_visibility(self, request: JSON) -> JSON:
        self.logged_in().set_history_visibility(text(request, "room_id"), visibility(request))
        return {}

    def cmd_invite(self, request: JSON) -> JSON:
        client, room_id, user_id = self.logged_in(), text(request, "room_id"), text(request, "user_id")
        if client.is_encrypted(room_id):
            # Inviting without sharing would be reported as this client's MSC4268 failure.
            raise Unsupported(
                "an MSC4268 client shares the room's keys with the invitee (an "
                "Olm-encrypted m.room_key_bundle) when inviting to an encrypted "
                "room, and " + NO_E2EE
            )
        client.invite(room_id, user_id)
        return {}

    def cmd_join(self, request: JSON) -> JSON:
        # An MSC4268 client would import the inviter's bundle here. This one cannot, which only
        # the commands it answers `unsupported` (read_event of encrypted events, room_keys,
        # pending_bundle) could show.
        self.logged_in().join(text(request, "room_id"))
        return {}

    def cmd_leave(self, request: JSON) -> JSON:
        self.logged_in().leave(text(request, "room_id"))
        return {}

    def cmd_membership(self, request: JSON) -> JSON:
        return {"membership": self.logged_in().membership(text(request, "room_id"), text(request, "user_id"))}

    def cmd_read_event(self, request: JSON) -> JSON | str:
        client, room_id, event_id = self.logged_in(), text(request, "room_id"), text(request, "event_id")
        via = request.get("via", "event")
        if via == "event":
            event = client.event(room_id, event_id)
        elif via == "history":
            event = client.event_in_history(room_id, event_id)
        else:
            raise Failed("malformed request: `via` must be event or history")
        if event is None:
            return "hidden"
        if event.get("type") == "m.room.encrypted":
            raise Unsupported(
                "the event is encrypted (m.room.encrypted) and "
                + NO_E2EE
                + "; answering undecryptable would pretend it tried"
            )
        return "plain"

    def cmd_encrypted_event(self, request: JSON) -> JSON:
        client, room_id, event_id = self.logged_in(), text(request, "room_id"), text(request, "event_id")
        event = client.event(room_id, event_id)
        if event is None:
            raise Failed(f"GET the event {event_id}: HTTP 404 (not visible to {client.user_id})")
        return {"event": event}


def valid_seq(request: Any) -> int | None:
    """The `seq` of a request object if it is a u64, as a reply can carry it."""
    seq = request.get("seq") if isinstance(request, dict) else None
    if isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < 2**64:
        return seq
    return None


def serve(actor: Actor, requests: TextIO, replies: TextIO) -> None:
    """Answers requests until `stop` or the end of input."""
    for line in requests:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as e:
            log(f"ignoring a request that is not JSON ({e})")
            continue
        if isinstance(request, dict) and request.get("cmd") == "stop":
            return
        seq = valid_seq(request)
        if seq is None:  # nothing to answer to: not done at all
            log(f"ignoring a request without a valid seq: {line.strip()[:200]}")
            continue
        body = actor.handle(request)
        replies.write(json.dumps({"seq": seq, **body}) + "\n")
        replies.flush()


def main() -> int:
    replies = sys.stdout
    sys.stdout = sys.stderr  # a stray print() must not corrupt the protocol stream
    requests = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    try:
        serve(Actor(), requests, replies)
    except BrokenPipeError:
        log("the harness closed stdout")
        os.dup2(os.open(os.devnull, os.O_WRONLY), replies.fileno())  # no error at exit's flush
    return 0


if __name__ == "__main__":
    sys.exit(main())
