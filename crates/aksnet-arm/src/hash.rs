//! `uniqueString`: ARM's 64-bit MurmurHash variant over the UTF-8 of the arguments joined with
//! `-`, as 13 characters of lowercase RFC 4648 base-32 taken from the hash's top bits.
//!
//! ARM's algorithm is not published by Microsoft; this follows the community reverse
//! engineering (the MurmurHash64 of Microsoft.PowerPlatform.ResourceStack) and is checked
//! against values published in public repositories, e.g. `uniqueString('test')` =
//! `rbgf3xv4ufgzg`, which several independent implementations and deployed resource names
//! agree on.

const C1: u32 = 0xAB0E_9789;
const C2: u32 = 0x239B_961B;

fn fmix(mut h: u32) -> u32 {
    h = (h ^ (h >> 16)).wrapping_mul(0x85EB_CA6B);
    h = (h ^ (h >> 13)).wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

fn le(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .enumerate()
        .fold(0, |acc, (i, b)| acc | (u32::from(*b) << (8 * i)))
}

fn mix1(k: u32) -> u32 {
    k.wrapping_mul(C2).rotate_left(15).wrapping_mul(C1)
}

fn mix2(k: u32) -> u32 {
    k.wrapping_mul(C1).rotate_left(17).wrapping_mul(C2)
}

/// The 64-bit hash of `data`.
pub(crate) fn murmur64(data: &[u8]) -> u64 {
    let (mut h1, mut h2) = (0u32, 0u32);
    let mut chunks = data.chunks_exact(8);
    for b in &mut chunks {
        h1 = (h1 ^ mix1(le(&b[..4])))
            .rotate_left(19)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x561C_CD1B);
        h2 = (h2 ^ mix2(le(&b[4..])))
            .rotate_left(13)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x0BCA_A747);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h1 ^= mix1(le(&rest[..rest.len().min(4)]));
        if rest.len() > 4 {
            h2 ^= mix2(le(&rest[4..]));
        }
    }
    let len = data.len() as u32;
    h2 ^= len;
    h1 = (h1 ^ len).wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u64::from(h2) << 32) | u64::from(h1)
}

/// `uniqueString(parts...)`.
pub(crate) fn unique_string(parts: &[&str]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut h = murmur64(parts.join("-").as_bytes());
    let mut out = String::with_capacity(13);
    for _ in 0..13 {
        out.push(ALPHABET[(h >> 59) as usize] as char);
        h <<= 5;
    }
    out
}

/// ARM's `guid()` namespace: `guid(a, b, ...)` is the RFC 4122 §4.3 name-based UUID, version 5
/// (SHA-1), of the UTF-8 arguments joined with `-` under this namespace. Checked against the
/// value the AzExpression PowerShell module (which runs ARM's own expression library) publishes:
/// `guid('test', 'value')` = `95b33d6a-06a0-5961-9b94-a0f6c648352b`; independent
/// implementations (Terraform configurations that reproduce Bicep's role-assignment names with
/// `uuidv5`) use the same namespace and separator.
const GUID_NAMESPACE: [u8; 16] = [
    0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30,
];

/// `guid(parts...)`.
pub(crate) fn guid(parts: &[&str]) -> String {
    let mut h = sha1_smol::Sha1::new();
    h.update(&GUID_NAMESPACE);
    h.update(parts.join("-").as_bytes());
    let d = h.digest().bytes();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // version 5
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::{guid, unique_string};

    #[test]
    fn published_values() {
        // Published in public repositories (Go and bash re-implementations, Terraform provider
        // tests, deployed storage account names) as ARM/Bicep output.
        assert_eq!(unique_string(&["test"]), "rbgf3xv4ufgzg");
        assert_eq!(unique_string(&["hello", "world"]), "a7wkljktk6wne");
        assert_eq!(unique_string(&["abc"]), "cgtzqvhu4i23s");
        assert_eq!(
            unique_string(&[
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg"
            ]),
            "bmg7c6xu4tw46"
        );
        assert_eq!(unique_string(&["foo", "bar", "baz"]), "xzi4ioaxtmth4");
    }

    #[test]
    fn guid_published_value() {
        // AzExpression's New-AzGuid example (ARM's expression library run locally).
        assert_eq!(
            guid(&["test", "value"]),
            "95b33d6a-06a0-5961-9b94-a0f6c648352b"
        );
        // The separator matters: one argument "test-value" is the same name, "testvalue" not.
        assert_eq!(guid(&["test-value"]), guid(&["test", "value"]));
        assert_ne!(guid(&["testvalue"]), guid(&["test", "value"]));
    }
}
