#!/usr/bin/env python3
"""Example MSC4268 conformance adapter in Python: the template for SDK authors.

It speaks the suite's adapter protocol, version 1 (docs/adapter-protocol.md): one JSON object per
line on stdin (requests from the harness) and stdout (replies). Nothing else may go to stdout;
logs go to stderr. Run it under the harness with

    cargo run -p msc4268-cli -- check --impl "cmd:adapters/python/.venv/bin/python adapters/python/adapter.py"

This adapter implements two categories with pyca/cryptography (AES-256-CTR) and the standard
library, written from the spec, not from the Rust reference:

* ``file-decryption``: check an ``EncryptedFile`` (spec "Sending encrypted attachments", v2),
  check the SHA-256 of the download *before* decrypting, then decrypt with AES-256-CTR.
* ``bundle-parsing``: read a decrypted room key bundle (``room_keys`` and ``withheld``), skipping
  malformed entries one by one.

To adapt it to your SDK, replace the bodies of ``decrypt_file`` and ``parse_bundle`` with calls
into your SDK and translate its results and errors into the outcome shapes documented in
docs/adapter-protocol.md (and add more categories to ``HANDLERS``). Reporting rule ids (``rule``)
is optional; when you report them, they are compared with the expected ones.
"""

import base64
import binascii
import json
import sys
import traceback

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PROTOCOL_VERSION = 1
MEGOLM_V1 = "m.megolm.v1.aes-sha2"
HISTORY_NOT_SHARED = {"m.history_not_shared": "stable",
                      "io.element.msc4268.history_not_shared": "unstable"}
MAX_DOWNLOAD = 64 * 1024 * 1024


class Violation(Exception):
    """A rule the input breaks: rule id and JSON pointer, as the outcome reports them."""

    def __init__(self, rule, path, reason):
        super().__init__(reason)
        self.rule, self.path, self.reason = rule, path, reason

    def rejection(self, outcome="rejected"):
        return {"outcome": outcome, "rule": self.rule, "path": self.path, "reason": self.reason}


def pointer(base, segment):
    """Appends a segment to a JSON pointer (RFC 6901 escaping)."""
    return base + "/" + str(segment).replace("~", "~0").replace("/", "~1")


# ------------------------------------------------------------------------------------------------
# base64, as Matrix uses it: decoders accept padding; the field's alphabet is part of its format;
# a last symbol with non-zero trailing bits is a non-canonical (malleable) encoding and refused.

def b64decode(s, urlsafe=False):
    alphabet = "-_" if urlsafe else "+/"
    other = "+/" if urlsafe else "-_"
    body = s.rstrip("=")
    if len(s) - len(body) > 2 or any(c in other for c in body):
        raise ValueError("not base64 in the required alphabet")
    if any(not (c.isascii() and (c.isalnum() or c in alphabet)) for c in body) or len(body) % 4 == 1:
        raise ValueError("not valid base64")
    if len(s) != len(body) and len(s) % 4 != 0:
        raise ValueError("bad padding")
    padded = body + "=" * (-len(body) % 4)
    try:
        data = (base64.urlsafe_b64decode if urlsafe else base64.b64decode)(padded)
    except binascii.Error as e:
        raise ValueError(str(e)) from e
    reencoded = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode().rstrip("=")
    if reencoded != body:
        raise ValueError("non-zero trailing bits (non-canonical encoding)")
    return data


def b64encode_unpadded(data):
    return base64.b64encode(data).decode().rstrip("=")


def carrier(s):
    """Fixture carriers of raw bytes are padded standard base64."""
    return base64.b64decode(s, validate=True)


# ------------------------------------------------------------------------------------------------
# Strict, path-aware JSON reading (every refusal names a rule and a JSON pointer).

def type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(v)]


def as_object(v, path, rule):
    if not isinstance(v, dict):
        raise Violation(rule, path, f"expected an object, found {type_name(v)}")
    return v


def required(obj, key, path, rule):
    if key not in obj:
        raise Violation(rule, pointer(path, key), f"required field `{key}` is missing")
    return obj[key]


def required_str(obj, key, path, rule):
    v = required(obj, key, path, rule)
    if not isinstance(v, str):
        raise Violation(rule, pointer(path, key), f"`{key}` must be a string, found {type_name(v)}")
    return v


def optional_str(obj, key, path, rule):
    if key not in obj:
        return None
    return required_str(obj, key, path, rule)


def required_object(obj, key, path, rule):
    return as_object(required(obj, key, path, rule), pointer(path, key), rule)


def decode_field(s, length, urlsafe, rule, at):
    try:
        data = b64decode(s, urlsafe)
    except ValueError as e:
        raise Violation(rule, at, str(e)) from e
    if len(data) != length:
        raise Violation(rule, at, f"decodes to {len(data)} bytes, {length} are required")
    return data


def is_room_id(s):
    """Spec appendix "Room IDs" (R46), as a client can tell: `!`, a non-empty rest, at most 255
    bytes, no NUL. Spaces and control characters are allowed; room IDs are opaque to clients."""
    return s.startswith("!") and len(s) > 1 and len(s.encode("utf-8")) <= 255 and "\0" not in s


# ------------------------------------------------------------------------------------------------
# file-decryption

def is_mxc(url):
    """`mxc://<server-name>/<media-id>`; media IDs use A-Z a-z 0-9 _ -."""
    if not url.startswith("mxc://"):
        return False
    server, sep, media_id = url[len("mxc://"):].partition("/")
    return (bool(sep) and is_server_name(server) and bool(media_id)
            and all(c.isascii() and (c.isalnum() or c in "_-") for c in media_id))


def is_server_name(s):
    """Spec appendix "Server name": IPv4 or DNS name (1-255), or [IPv6] (2-45), then an optional :port (1-5 digits)."""
    if s.startswith("["):
        inside, sep, after = s[1:].partition("]")
        host_ok = (bool(sep) and 2 <= len(inside) <= 45
                   and all(c in "0123456789abcdefABCDEF:." for c in inside))
        if after and not after.startswith(":"):
            return False
        port = after[1:] if after else None
    else:
        host, sep, port = s.partition(":")
        port = port if sep else None
        host_ok = (0 < len(host) <= 255
                   and all(c.isascii() and (c.isalnum() or c in "-.") for c in host))
    return host_ok and (port is None or (0 < len(port) <= 5 and port.isascii() and port.isdigit()))


def parse_encrypted_file(f):
    """Checks an EncryptedFile as a receiver must; returns (key, iv, sha256)."""
    if not isinstance(f, dict):
        raise Violation("R23", "", f"an EncryptedFile must be an object, found {type_name(f)}")
    if required_str(f, "v", "", "A1") != "v2":
        raise Violation("A1", "/v", "`v` must be `v2`")
    if "key" not in f:
        raise Violation("A2", "/key", "required field `key` (the JSON Web Key) is missing")
    jwk = f["key"]
    if not isinstance(jwk, dict):
        raise Violation("A2", "/key", f"`key` must be a JSON Web Key object, found {type_name(jwk)}")
    if required_str(jwk, "kty", "/key", "A2") != "oct":
        raise Violation("A2", "/key/kty", "`kty` must be `oct`")
    if required_str(jwk, "alg", "/key", "A3") != "A256CTR":
        raise Violation("A3", "/key/alg", "`alg` must be `A256CTR`")
    if required(jwk, "ext", "/key", "A4") is not True:
        raise Violation("A4", "/key/ext", "`ext` must be the boolean `true`")
    ops = required(jwk, "key_ops", "/key", "A5")
    if not isinstance(ops, list):
        raise Violation("A5", "/key/key_ops", "`key_ops` must be an array of strings")
    for i, op in enumerate(ops):
        if not isinstance(op, str):
            raise Violation("A5", pointer("/key/key_ops", i), "`key_ops` entries must be strings")
    for needed in ("encrypt", "decrypt"):
        if needed not in ops:
            raise Violation("A5", "/key/key_ops", f"`key_ops` must contain `{needed}`")
    key = decode_field(required_str(jwk, "k", "/key", "A6"), 32, True, "A6", "/key/k")
    iv = decode_field(required_str(f, "iv", "", "A7"), 16, False, "A7", "/iv")
    hashes_obj = required_object(f, "hashes", "", "A8")
    sha256 = decode_field(required_str(hashes_obj, "sha256", "/hashes", "A8"), 32, False, "A8",
                          "/hashes/sha256")
    url = required_str(f, "url", "", "A12")
    if not is_mxc(url):
        raise Violation("A12", "/url", "`url` must be an `mxc://<server-name>/<media-id>` URI")
    return key, iv, sha256


def decrypt_file(inp):
    """Input: {"file": EncryptedFile, "ciphertext": carrier}. Outcome: decrypted or rejected."""
    ciphertext = carrier(inp["ciphertext"])
    try:
        key, iv, expected = parse_encrypted_file(inp["file"])
        if len(ciphertext) > MAX_DOWNLOAD:
            raise Violation("R39", "", "the download is larger than the limit")
        # Check the hash of the ciphertext before any decryption (R38).
        digest = hashes.Hash(hashes.SHA256())
        digest.update(ciphertext)
        if digest.finalize() != expected:
            raise Violation("R38", "/hashes/sha256",
                            "the SHA-256 of the ciphertext does not match `hashes.sha256`")
    except Violation as v:
        return v.rejection()
    # AES-256-CTR; the IV is the whole initial 128-bit big-endian counter block (A9).
    decryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).decryptor()
    plaintext = decryptor.update(ciphertext) + decryptor.finalize()
    return {"outcome": "decrypted", "plaintext": base64.b64encode(plaintext).decode()}


# ------------------------------------------------------------------------------------------------
# bundle-parsing

ED25519_P = 2**255 - 19
ED25519_D = (-121665 * pow(121666, -1, ED25519_P)) % ED25519_P


def is_ed25519_point(key):
    """Whether 32 bytes decompress to a point on Ed25519 (y, and x recoverable from it)."""
    y = int.from_bytes(key, "little") & ((1 << 255) - 1)
    y %= ED25519_P
    u = (y * y - 1) % ED25519_P
    v = (ED25519_D * y * y + 1) % ED25519_P
    if v == 0:
        return u == 0
    x2 = u * pow(v, -1, ED25519_P) % ED25519_P
    return x2 == 0 or pow(x2, (ED25519_P - 1) // 2, ED25519_P) == 1


def parse_session_key(s, at):
    """An export-format Megolm key: 0x01, index (u32 BE), ratchet (128 bytes), Ed25519 key."""
    try:
        raw = b64decode(s)
    except ValueError as e:
        raise Violation("R15", at, f"session_key is not standard base64: {e}") from e
    if not raw:
        raise Violation("R15", at, "session_key is empty")
    if raw[0] == 0x02:
        raise Violation("R15", at, "session_key is in the sharing format, not the export format")
    if raw[0] != 0x01:
        raise Violation("R15", at, f"session_key has unknown version byte {raw[0]:#04x}")
    if len(raw) != 165:
        raise Violation("R15", at, f"session_key decodes to {len(raw)} bytes, the export format has 165")
    signing_key = raw[133:165]
    if not is_ed25519_point(signing_key):
        raise Violation("R15", at, "session_key embeds an invalid Ed25519 public key")
    return int.from_bytes(raw[1:5], "big"), b64encode_unpadded(signing_key)


def key32(obj, key, path, rule):
    s = required_str(obj, key, path, rule)
    decode_field(s, 32, False, rule, pointer(path, key))
    return s


def parse_room_key(v, path):
    obj = as_object(v, path, "R15")
    algorithm = required_str(obj, "algorithm", path, "R15")
    if algorithm != MEGOLM_V1:
        raise Violation("B3", pointer(path, "algorithm"), f"unsupported algorithm `{algorithm}`")
    room_id = required_str(obj, "room_id", path, "R15")
    if not is_room_id(room_id):
        raise Violation("R46", pointer(path, "room_id"), f"`{room_id}` is not a room ID")
    key32(obj, "sender_key", path, "R15")
    claimed_path = pointer(path, "sender_claimed_keys")
    claimed = key32(required_object(obj, "sender_claimed_keys", path, "R15"), "ed25519",
                    claimed_path, "R15")
    if not is_ed25519_point(b64decode(claimed)):
        raise Violation("R15", pointer(claimed_path, "ed25519"),
                        "the claimed Ed25519 key is not a point on the curve")
    session_id = required_str(obj, "session_id", path, "R15")
    index, real_id = parse_session_key(required_str(obj, "session_key", path, "R15"),
                                       pointer(path, "session_key"))
    if session_id != real_id:
        raise Violation("B2", pointer(path, "session_id"),
                        "session_id is not the ID of the key in session_key")
    return {"source": path, "room_id": room_id, "session_id": session_id,
            "first_known_index": index}


def parse_withheld(v, path):
    obj = as_object(v, path, "R16")
    required_str(obj, "algorithm", path, "R16")
    key32(obj, "sender_key", path, "R16")
    code = required_str(obj, "code", path, "R16")
    optional_str(obj, "reason", path, "R16")
    if code == "m.no_olm":  # room_id and session_id are optional only for m.no_olm
        room_id = optional_str(obj, "room_id", path, "R16")
        session_id = optional_str(obj, "session_id", path, "R16")
    else:
        room_id = required_str(obj, "room_id", path, "R16")
        session_id = required_str(obj, "session_id", path, "R16")
    if room_id is not None and not is_room_id(room_id):
        raise Violation("R46", pointer(path, "room_id"), f"`{room_id}` is not a room ID")
    out = {"source": path, "code": "m.history_not_shared" if code in HISTORY_NOT_SHARED else code}
    if room_id is not None:
        out["room_id"] = room_id
    if session_id is not None:
        out["session_id"] = session_id
    if code in HISTORY_NOT_SHARED:
        out["code_variant"] = HISTORY_NOT_SHARED[code]
    return out


def reject_constant(name):
    raise ValueError(f"`{name}` is not JSON")


def check_strings(v):
    """JSON text may escape lone UTF-16 surrogates, which are no Unicode text: refuse them."""
    if isinstance(v, str):
        v.encode("utf-8")
    elif isinstance(v, list):
        for x in v:
            check_strings(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            check_strings(k)
            check_strings(x)


def bundle_bytes(inp):
    given = [k for k in ("plaintext", "plaintext_text", "plaintext_base64") if k in inp]
    if len(given) != 1:
        raise ValueError("exactly one of plaintext, plaintext_text, plaintext_base64 is required")
    if given[0] == "plaintext":
        return json.dumps(inp["plaintext"], separators=(",", ":"), ensure_ascii=False).encode()
    if given[0] == "plaintext_text":
        return inp["plaintext_text"].encode()
    return carrier(inp["plaintext_base64"])


def parse_bundle(inp):
    """Input: the decrypted bundle bytes. Outcome: parsed (keys, withheld, skipped) or rejected."""
    data = bundle_bytes(inp)
    try:
        try:
            top = json.loads(data.decode("utf-8"), parse_constant=reject_constant)
            check_strings(top)
        except (UnicodeError, ValueError, RecursionError) as e:
            raise Violation("B1", "", f"bundle plaintext is not UTF-8 JSON: {e}") from e
        as_object(top, "", "B1")
        result = {"outcome": "parsed", "room_keys": [], "withheld": [], "skipped": []}
        for name, parse_entry, out in (("room_keys", parse_room_key, "room_keys"),
                                       ("withheld", parse_withheld, "withheld")):
            if name not in top:  # a missing array reads as empty
                continue
            if not isinstance(top[name], list):
                raise Violation("B1", "/" + name, f"`{name}` must be an array")
            for i, item in enumerate(top[name]):
                path = f"/{name}/{i}"
                try:
                    result[out].append(parse_entry(item, path))
                except Violation as v:  # one bad entry is skipped; the rest of the bundle stands
                    result["skipped"].append({"source": path, "rule": v.rule, "reason": v.reason})
        return result
    except Violation as v:
        return v.rejection()


# ------------------------------------------------------------------------------------------------
# The protocol loop.

HANDLERS = {
    "file-decryption": decrypt_file,
    "bundle-parsing": parse_bundle,
}

IMPLEMENTATION = {
    "name": "python-example",
    "version": "1.0.0",
    "language": "python",
    "issues": "https://example.invalid/msc4268-conformance/issues",
    "categories": sorted(HANDLERS),
    "identifiers": ["stable", "unstable", "interop"],
    # The largest download decrypt_file accepts: the harness makes a file one byte larger
    # (file-decryption/declared-limit) and expects it refused.
    "limits": {"max_download_bytes": MAX_DOWNLOAD},
}


def reply(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main():
    for line in sys.stdin:
        request = json.loads(line)
        cmd = request.get("cmd")
        if cmd == "start":
            if request.get("version") != PROTOCOL_VERSION:
                print(f"unsupported protocol version {request.get('version')}", file=sys.stderr)
                return 1
            reply({"version": PROTOCOL_VERSION, "implementation": IMPLEMENTATION})
        elif cmd == "run":
            seq, category = request["seq"], request["category"]
            handler = HANDLERS.get(category)
            if handler is None:
                reply({"seq": seq, "skipped": {"reason": f"{category} is not implemented"}})
                continue
            try:
                reply({"seq": seq, "outcome": handler(request["input"])})
            except Exception as e:  # a bug in the adapter: report it, keep serving
                reply({"seq": seq, "errored": {"message": f"{type(e).__name__}: {e}",
                                               "context": {"case": request.get("case"),
                                                           "traceback": traceback.format_exc()}}})
        elif cmd == "stop":
            return 0
        else:
            print(f"unknown command {cmd!r}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
