//! Hash and UUID functions.

use serde_json::Value as Json;

use super::super::value::{to_str, EvalError, R};
use super::arity;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Calls a hash function.
pub(super) fn call(name: &str, a: &[Json]) -> R<Json> {
    match name {
        "sha1" => {
            arity(a, 1)?;
            Ok(Json::String(
                sha1_smol::Sha1::from(to_str(&a[0])?).digest().to_string(),
            ))
        }
        "sha256" => {
            arity(a, 1)?;
            Ok(Json::String(hex(&sha256(to_str(&a[0])?.as_bytes()))))
        }
        "base64sha256" => {
            use base64::Engine;
            arity(a, 1)?;
            Ok(Json::String(
                base64::engine::general_purpose::STANDARD.encode(sha256(to_str(&a[0])?.as_bytes())),
            ))
        }
        "md5" => {
            arity(a, 1)?;
            Ok(Json::String(hex(&md5(to_str(&a[0])?.as_bytes()))))
        }
        "uuidv5" => {
            arity(a, 2)?;
            let ns = to_str(&a[0])?;
            let ns = match ns.as_str() {
                "dns" => "6ba7b810-9dad-11d1-80b4-00c04fd430c8".to_string(),
                "url" => "6ba7b811-9dad-11d1-80b4-00c04fd430c8".to_string(),
                "oid" => "6ba7b812-9dad-11d1-80b4-00c04fd430c8".to_string(),
                "x500" => "6ba7b814-9dad-11d1-80b4-00c04fd430c8".to_string(),
                other => other.to_string(),
            };
            let hexns: String = ns.chars().filter(|c| *c != '-').collect();
            if hexns.len() != 32 || !hexns.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(EvalError::new(format!(
                    "uuidv5: invalid namespace \"{ns}\""
                )));
            }
            let mut data: Vec<u8> = (0..16)
                .map(|i| u8::from_str_radix(&hexns[2 * i..2 * i + 2], 16).unwrap_or(0))
                .collect();
            data.extend_from_slice(to_str(&a[1])?.as_bytes());
            let mut h = sha1_smol::Sha1::from(&data).digest().bytes();
            h[6] = (h[6] & 0x0f) | 0x50;
            h[8] = (h[8] & 0x3f) | 0x80;
            let x = hex(&h[..16]);
            Ok(Json::String(format!(
                "{}-{}-{}-{}-{}",
                &x[0..8],
                &x[8..12],
                &x[12..16],
                &x[16..20],
                &x[20..32]
            )))
        }
        _ => Err(EvalError::new("unknown hash function")),
    }
}

/// SHA-256 (FIPS 180-4).
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([
                chunk[4 * i],
                chunk[4 * i + 1],
                chunk[4 * i + 2],
                chunk[4 * i + 3],
            ]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// MD5 (RFC 1321).
fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4294967296.0) as u32)
        .collect();
    let (mut a0, mut b0, mut c0, mut d0) =
        (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_le_bytes());
    for chunk in msg.chunks(64) {
        let m: Vec<u32> = (0..16)
            .map(|i| {
                u32::from_le_bytes([
                    chunk[4 * i],
                    chunk[4 * i + 1],
                    chunk[4 * i + 2],
                    chunk[4 * i + 3],
                ])
            })
            .collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f2 = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f2.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    let mut out = [0u8; 16];
    for (i, x) in [a0, b0, c0, d0].iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{ev_in, k};
    use aksnet_arm::Value;
    use serde_json::json;

    #[test]
    fn run_dependent_functions_are_unknown() {
        for f in ["uuid()", "timestamp()"] {
            match ev_in(f, std::path::Path::new(".")) {
                Ok(Value::Unknown(u)) => {
                    assert_eq!(u.expression, f);
                    assert!(u.reason.contains("differs at every run"));
                }
                other => panic!("{f}: {other:?}"),
            }
        }
        match ev_in(
            "formatdate(\"YYYY\", \"2024-01-01T00:00:00Z\")",
            std::path::Path::new("."),
        ) {
            Ok(Value::Unknown(u)) => assert_eq!(u.reason, "not implemented"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn documentation_examples() {
        assert_eq!(
            k("sha1(\"hello world\")"),
            json!("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")
        );
        assert_eq!(
            k("sha256(\"hello world\")"),
            json!("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        );
        assert_eq!(
            k("md5(\"hello world\")"),
            json!("5eb63bbbe01eeed093cb22bb8f5acdc3")
        );
        assert_eq!(
            k("base64sha256(\"hello world\")"),
            json!("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
        );
        assert_eq!(
            k("uuidv5(\"dns\", \"www.terraform.io\")"),
            json!("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
        );
        assert_eq!(
            k("uuidv5(\"url\", \"https://www.terraform.io/\")"),
            json!("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5")
        );
        assert_eq!(
            k("uuidv5(\"oid\", \"1.3.6.1.4\")"),
            json!("af9d40a5-7a36-5c07-b23a-851cd99fbfa5")
        );
    }
}
