//! `file-decryption/counter.json`: the AES-CTR counter block is the whole IV as one 128-bit
//! big-endian integer (A9).

use super::*;

pub(super) fn counter() -> GeneratedFile {
    let mut zero = GroupBuilder::new(
        CATEGORY,
        "counter-low-half-zero",
        "IVs as a conformant sender makes them (low 64 bits zero): the counter never leaves the low half, but it must be big-endian.",
        STABLE,
    );
    let v = Vector::new(
        "counter/258-blocks",
        &plaintext("counter/258-blocks", 258 * 16),
    );
    zero.valid(
        spec(
            "258-blocks",
            &["A9"],
            "258 blocks from a zero low half: block 256 carries from the last IV byte into the one before it. A little-endian counter differs from block 1 on; a counter that increments only the last byte (mod 256) differs from block 256 on.",
            &[BugClass::EdgeCase],
        ),
        v.input(v.file()),
        decrypted(&v.plaintext),
    );
    let mut iv = [0u8; 16];
    iv[..8].fill(0xff);
    let v = Vector::with_iv(
        "counter/high-half-all-ones",
        iv,
        &plaintext("counter/hh", 48),
    );
    zero.valid(
        spec(
            "high-half-all-ones",
            &["A9"],
            "The IV's random half is all ones and the low half zero: a legal IV; 3 blocks decrypt normally (no carry reaches the high half).",
            &[BugClass::EdgeCase],
        ),
        v.input(v.file()),
        decrypted(&v.plaintext),
    );

    let mut nonzero = GroupBuilder::new(
        CATEGORY,
        "counter-low-half-nonzero",
        "IVs whose low 64 bits are not zero (senders must not make them, A11). A receiver may decrypt them as given, with the 128-bit big-endian counter carrying into the high half, or refuse them; decrypting with any other counter arithmetic is wrong.",
        STABLE,
    );
    let cases: [(&str, [u8; 16], usize, &str); 5] = [
        (
            "carry-after-two-blocks",
            iv_with_low("counter/carry-2", u64::MAX - 1),
            70,
            "Low half 2^64-2, 5 blocks: the third block's counter carries into the high half (high + 1, low 0). Decrypting with a 64-bit wrapping counter yields other bytes from block 3 on.",
        ),
        (
            "carry-after-one-block",
            iv_with_low("counter/carry-1", u64::MAX),
            40,
            "Low half 2^64-1, 3 blocks: the very first increment carries into the high half.",
        ),
        (
            "carry-ripples-through-high-half",
            {
                let mut iv = iv_with_low("counter/ripple", u64::MAX);
                iv[5..8].fill(0xff);
                iv
            },
            40,
            "High half ends in three 0xff bytes and the low half is all ones: the carry ripples through four bytes of the high half.",
        ),
        (
            "wraps-at-2-pow-128",
            [0xff; 16],
            48,
            "The whole IV is all ones: the 128-bit counter wraps to zero for the second block.",
        ),
        (
            "low-half-small",
            iv_with_low("counter/low-1", 1),
            48,
            "Low half 1, no carry: the receiver must use the IV as given, not clear its low half.",
        ),
    ];
    for (name, iv, n, comment) in cases {
        let v = Vector::with_iv(&format!("counter/{name}"), iv, &plaintext(name, n));
        nonzero.acceptable(
            spec(name, &["A9", "A11"], comment, &[BugClass::EdgeCase]),
            v.input(v.file()),
            decrypted(&v.plaintext),
            vec![rejected("A11", "/iv")],
        );
    }

    new_file(
        CATEGORY,
        module_path!(),
        "counter",
        "A9: the counter block is the whole 16-byte IV, incremented as one 128-bit big-endian integer; carries out of the low 64 bits go into the high 64 bits.",
        vec![zero, nonzero],
    )
}
