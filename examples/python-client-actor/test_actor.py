"""Tests of the example client actor: runs actor.py as a subprocess and speaks the protocol to it.

Standard library only, no network: the one test of the HTTP side uses a fake homeserver on
127.0.0.1 in this process. Run from the repository root or from this directory:

    python3 -m unittest examples/python-client-actor/test_actor.py
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ACTOR = Path(__file__).resolve().parent / "actor.py"
NO_E2EE_ENV = "MSC4268_PY_ACTOR_NO_E2EE"
REPLY_TIMEOUT_S = 15.0
E2EE_ONLY = [
    "send_text",
    "received_bundles",
    "decrypt_event",
    "download_bundle",
    "room_keys",
    "pending_bundle",
    "backdate_invite_acceptance",
    "device_cross_signed",
    "restart",
]


class ActorProcess:
    """actor.py as a child process, with its stdio."""

    def __init__(self, no_e2ee: bool = False) -> None:
        env = {k: v for k, v in os.environ.items() if k != NO_E2EE_ENV}
        if no_e2ee:
            env[NO_E2EE_ENV] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, str(ACTOR)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            env=env,
        )
        self.seq = 0

    def write(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")

    def read_reply(self) -> dict[str, Any]:
        """The next line of stdout, which must be one JSON object."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], REPLY_TIMEOUT_S)
        if not ready:
            raise AssertionError(f"no reply within {REPLY_TIMEOUT_S} s")
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("the actor closed stdout")
        reply = json.loads(line)
        assert isinstance(reply, dict), line
        return reply

    def ask(self, cmd: str, **args: Any) -> dict[str, Any]:
        """Sends a request with the next seq; returns the reply, checking its seq."""
        seq, self.seq = self.seq, self.seq + 1
        self.write(json.dumps({"seq": seq, "cmd": cmd, **args}))
        reply = self.read_reply()
        if reply.get("seq") != seq:
            raise AssertionError(f"reply to seq {seq} carries seq {reply.get('seq')}: {reply}")
        return reply

    def start(self) -> dict[str, Any]:
        return self.ask("start", version=1, name="Bob")

    def finish(self, close_stdin: bool = False) -> tuple[int, bytes, bytes]:
        """Stops the actor (by `stop`, or by closing stdin); its exit code and remaining output."""
        assert self.proc.stdin is not None
        if not close_stdin:
            self.write(json.dumps({"cmd": "stop"}))
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=REPLY_TIMEOUT_S)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        out = self.proc.stdout.read() if self.proc.stdout else b""
        err = self.proc.stderr.read() if self.proc.stderr else b""
        return self.proc.returncode, out, err


class ProtocolTests(unittest.TestCase):
    def setUp(self) -> None:
        self.actor = ActorProcess()

    def tearDown(self) -> None:
        if self.actor.proc.poll() is None:
            self.actor.finish()
        for stream in (self.actor.proc.stdout, self.actor.proc.stderr):
            if stream:
                stream.close()

    def test_start_handshake(self) -> None:
        reply = self.actor.start()
        self.assertEqual(set(reply), {"seq", "result"})
        self.assertEqual(reply["result"]["version"], 1)
        client = reply["result"]["client"]
        self.assertEqual(set(client), {"name", "version", "language", "careless"})
        self.assertRegex(client["name"], r"^[a-z0-9][a-z0-9._-]*$")
        self.assertEqual(client["language"], "Python")
        self.assertIs(client["careless"], False)

    def test_careless_start_is_answered_normally_not_careless(self) -> None:
        reply = self.actor.ask("start", version=1, name="Bob", careless=True)
        self.assertIs(reply["result"]["client"]["careless"], False)

    def test_version_mismatch_fails(self) -> None:
        reply = self.actor.ask("start", version=2, name="Bob")
        self.assertIn("version 2", reply["failed"]["message"])

    def test_unknown_command_is_unsupported(self) -> None:
        self.actor.start()
        reply = self.actor.ask("fly", to="the moon")
        self.assertIn("fly", reply["unsupported"]["reason"])

    def test_register_and_login_without_env_are_unsupported(self) -> None:
        self.actor.start()
        args = {"homeserver": "http://127.0.0.1:9", "localpart": "bob", "password": "p", "device_name": "d"}
        for cmd, extra in (("register", {}), ("login", {"cross_signing": False})):
            reason = self.actor.ask(cmd, **args, **extra)["unsupported"]["reason"]
            self.assertIn("cross-signing", reason)
            self.assertIn(NO_E2EE_ENV, reason)

    def test_commands_needing_encryption_are_unsupported(self) -> None:
        self.actor.start()
        for cmd in E2EE_ONLY:
            with self.subTest(cmd=cmd):
                self.assertTrue(self.actor.ask(cmd)["unsupported"]["reason"])

    def test_commands_before_login_fail(self) -> None:
        self.actor.start()
        self.assertIn("no user", self.actor.ask("sync")["failed"]["message"])

    def test_non_json_and_seqless_lines_are_ignored(self) -> None:
        self.actor.write("this is not JSON")
        self.actor.write(json.dumps({"cmd": "sync"}))
        self.actor.write(json.dumps([1, 2]))
        self.actor.write(json.dumps({"seq": "3", "cmd": "sync"}))
        self.actor.write("")
        self.assertEqual(self.actor.start()["result"]["version"], 1)

    def test_malformed_request_with_seq_fails(self) -> None:
        reply = self.actor.ask("start", name="Bob")  # no version
        self.assertIn("malformed", reply["failed"]["message"])
        self.assertEqual(self.actor.start()["result"]["version"], 1)

    def test_stop_exits_0_without_reply(self) -> None:
        self.actor.start()
        code, out, _ = self.actor.finish()
        self.assertEqual((code, out), (0, b""))

    def test_end_of_input_exits_0(self) -> None:
        self.actor.start()
        code, out, _ = self.actor.finish(close_stdin=True)
        self.assertEqual((code, out), (0, b""))


# ------------------------------------------------------------------------------------------------
# The HTTP side, in demonstration mode, against a fake homeserver.

ROOM, ENCRYPTED, PLAIN, GONE = "!r:hs", "$encrypted", "$plain", "$gone"


class FakeHomeserver(BaseHTTPRequestHandler):
    """Just enough of the client-server API for one register, two syncs and a few reads."""

    log: list[tuple[str, str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        path = self.path
        FakeHomeserver.log.append((self.command, path, body))
        authed = self.headers.get("Authorization") == "Bearer token"
        if path == "/_matrix/client/v3/register":
            if body.get("auth") == {"type": "m.login.dummy", "session": "s1"}:
                self.reply(200, {"user_id": "@bob:hs", "device_id": "BOBDEVICE", "access_token": "token"})
            else:
                self.reply(401, {"session": "s1", "flows": [{"stages": ["m.login.dummy"]}], "params": {}})
        elif not authed:
            self.reply(401, {"errcode": "M_MISSING_TOKEN", "error": "no token"})
        elif path == "/_matrix/client/v3/sync?timeout=0":
            self.reply(
                200,
                {
                    "next_batch": "b1",
                    "to_device": {
                        "events": [
                            {
                                "type": "org.msc4268.scenario.marker",
                                "sender": "@alice:hs",
                                "content": {"nonce": "n1"},
                            },
                            {
                                "type": "m.room.encrypted",
                                "sender": "@alice:hs",
                                "content": {"ciphertext": {}},
                            },
                        ]
                    },
                    "rooms": {
                        "invite": {
                            ROOM: {
                                "invite_state": {
                                    "events": [
                                        {
                                            "type": "m.room.member",
                                            "state_key": "@bob:hs",
                                            "sender": "@alice:hs",
                                            "content": {"membership": "invite"},
                                        },
                                        {
                                            "type": "m.room.member",
                                            "state_key": "@alice:hs",
                                            "sender": "@alice:hs",
                                            "content": {"membership": "join"},
                                        },
                                    ]
                                }
                            }
                        }
                    },
                },
            )
        elif path.startswith("/_matrix/client/v3/sync?"):
            self.reply(200, {"next_batch": "b2"})
        elif path.startswith("/_matrix/client/v3/sendToDevice/org.msc4268.scenario.marker/"):
            self.reply(200, {})
        elif path.startswith("/_matrix/client/v3/rooms/%21r%3Ahs/event/"):
            event_id = path.rsplit("/", 1)[1].replace("%24", "$")
            if event_id == ENCRYPTED:
                self.reply(
                    200,
                    {
                        "type": "m.room.encrypted",
                        "event_id": ENCRYPTED,
                        "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                    },
                )
            elif event_id == PLAIN:
                self.reply(200, {"type": "m.room.message", "event_id": PLAIN, "content": {"body": "hi"}})
            else:
                self.reply(404, {"errcode": "M_NOT_FOUND", "error": "Event not found."})
        elif path == "/_matrix/client/v3/join/%21r%3Ahs":
            self.reply(403, {"errcode": "M_FORBIDDEN", "error": "You are not invited to this room."})
        else:
            self.reply(404, {"errcode": "M_UNRECOGNIZED", "error": f"unknown path {path}"})

    do_GET = do_POST = do_PUT = handle_any


class DemoModeTests(unittest.TestCase):
    def test_register_sync_markers_membership_and_reads_over_http(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHomeserver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        actor = ActorProcess(no_e2ee=True)
        try:
            actor.start()
            url = f"http://127.0.0.1:{server.server_address[1]}"
            logged = actor.ask("register", homeserver=url, localpart="bob", password="p", device_name="d")
            self.assertEqual(logged["result"], {"user_id": "@bob:hs", "device_id": "BOBDEVICE"})
            self.assertEqual(
                actor.ask("membership", room_id=ROOM, user_id="@bob:hs")["result"], {"membership": "invite"}
            )
            self.assertEqual(
                actor.ask("membership", room_id=ROOM, user_id="@alice:hs")["result"], {"membership": "join"}
            )
            self.assertEqual(
                actor.ask("membership", room_id="!other:hs", user_id="@bob:hs")["result"],
                {"membership": None},
            )
            self.assertEqual(
                actor.ask("markers")["result"], {"markers": [{"sender": "@alice:hs", "nonce": "n1"}]}
            )
            self.assertEqual(actor.ask("sync")["result"], {})
            nonce = actor.ask("send_marker", user_id="@alice:hs", device_id="ALICEDEV")["result"]["nonce"]
            sent = [b for m, p, b in FakeHomeserver.log if m == "PUT" and "sendToDevice" in p]
            self.assertEqual(sent, [{"messages": {"@alice:hs": {"ALICEDEV": {"nonce": nonce}}}}])
            self.assertEqual(actor.ask("read_event", room_id=ROOM, event_id=PLAIN)["result"], "plain")
            self.assertEqual(actor.ask("read_event", room_id=ROOM, event_id=GONE)["result"], "hidden")
            self.assertIn(
                "encrypted",
                actor.ask("read_event", room_id=ROOM, event_id=ENCRYPTED)["unsupported"]["reason"],
            )
            event = actor.ask("encrypted_event", room_id=ROOM, event_id=ENCRYPTED)["result"]["event"]
            self.assertEqual(event["type"], "m.room.encrypted")
            failure = actor.ask("join", room_id=ROOM)["failed"]["message"]
            self.assertTrue(re.search(r"HTTP 403 M_FORBIDDEN", failure), failure)
            self.assertIn(
                "already",
                actor.ask("register", homeserver=url, localpart="b", password="p", device_name="d")["failed"][
                    "message"
                ],
            )
            code, out, err = actor.finish()
            self.assertEqual((code, out), (0, b""))
            self.assertIn(b"WITHOUT keys", err)
        finally:
            server.shutdown()
            server.server_close()
            for stream in (actor.proc.stdout, actor.proc.stderr):
                if stream:
                    stream.close()


if __name__ == "__main__":
    unittest.main()
