//! IP network functions, exact for IPv4 and IPv6.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde_json::Value as Json;

use super::super::value::{to_number, to_str, EvalError, R};
use super::{arity, at_least};

/// A parsed prefix: the network address as an integer, its length and the address width.
struct Prefix {
    addr: u128,
    len: u32,
    bits: u32,
}

fn parse_prefix(s: &str) -> R<Prefix> {
    let (ip, len) = s
        .split_once('/')
        .ok_or_else(|| EvalError::new(format!("invalid CIDR address \"{s}\"")))?;
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| EvalError::new(format!("invalid CIDR address \"{s}\"")))?;
    let (addr, bits) = match ip {
        IpAddr::V4(v) => (u32::from(v) as u128, 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    };
    let len: u32 = len
        .parse()
        .ok()
        .filter(|l| *l <= bits && !len.starts_with('+'))
        .ok_or_else(|| EvalError::new(format!("invalid CIDR address \"{s}\"")))?;
    Ok(Prefix {
        addr: addr & mask(len, bits),
        len,
        bits,
    })
}

fn mask(len: u32, bits: u32) -> u128 {
    let full: u128 = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    if len == 0 {
        0
    } else if len >= bits {
        full
    } else {
        full & !(full >> len)
    }
}

fn show(addr: u128, bits: u32) -> String {
    if bits == 32 {
        Ipv4Addr::from(addr as u32).to_string()
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

fn whole(j: &Json) -> R<i128> {
    let n = to_number(j)?;
    if n.fract() != 0.0 {
        return Err(EvalError::new("a whole number is required"));
    }
    Ok(n as i128)
}

fn subnet(p: &Prefix, newbits: i128, num: i128) -> R<Prefix> {
    if newbits < 0 || p.len as i128 + newbits > p.bits as i128 {
        return Err(EvalError::new(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            p.len
        )));
    }
    let newlen = p.len + newbits as u32;
    let max: i128 = if newbits >= 127 {
        i128::MAX
    } else {
        1i128 << newbits
    };
    if num < 0 || num >= max {
        return Err(EvalError::new(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {num}"
        )));
    }
    let shift = p.bits - newlen;
    let add = if shift >= 128 {
        0
    } else {
        (num as u128) << shift
    };
    Ok(Prefix {
        addr: p.addr | add,
        len: newlen,
        bits: p.bits,
    })
}

/// Calls an IP network function.
pub(super) fn call(name: &str, a: &[Json]) -> R<Json> {
    match name {
        "cidrhost" => {
            arity(a, 2)?;
            let p = parse_prefix(&to_str(&a[0])?)?;
            let n = whole(&a[1])?;
            let hostbits = p.bits - p.len;
            let size: i128 = if hostbits >= 127 {
                i128::MAX
            } else {
                1i128 << hostbits
            };
            let off = if n < 0 { size + n } else { n };
            if off < 0 || off >= size {
                return Err(EvalError::new(format!(
                    "prefix of {} does not accommodate a host numbered {n}",
                    p.len
                )));
            }
            Ok(Json::String(show(p.addr + off as u128, p.bits)))
        }
        "cidrnetmask" => {
            arity(a, 1)?;
            let p = parse_prefix(&to_str(&a[0])?)?;
            if p.bits != 32 {
                return Err(EvalError::new("only IPv4 networks have a netmask"));
            }
            Ok(Json::String(show(mask(p.len, 32), 32)))
        }
        "cidrsubnet" => {
            arity(a, 3)?;
            let p = parse_prefix(&to_str(&a[0])?)?;
            let s = subnet(&p, whole(&a[1])?, whole(&a[2])?)?;
            Ok(Json::String(format!("{}/{}", show(s.addr, s.bits), s.len)))
        }
        "cidrsubnets" => {
            at_least(a, 1)?;
            let p = parse_prefix(&to_str(&a[0])?)?;
            let span_end: u128 = p.addr | !mask(p.len, p.bits) & mask(p.bits, p.bits);
            let mut next: u128 = p.addr;
            let mut exhausted = false;
            let mut out = Vec::new();
            for nb in &a[1..] {
                let nb = whole(nb)?;
                if nb < 1 || p.len as i128 + nb > p.bits as i128 {
                    return Err(EvalError::new(format!(
                        "would extend prefix to {} bits, which is too long for an IPv{} address",
                        p.len as i128 + nb,
                        if p.bits == 32 { 4 } else { 6 }
                    )));
                }
                let newlen = p.len + nb as u32;
                let size: u128 = if p.bits - newlen >= 128 {
                    0
                } else {
                    1u128 << (p.bits - newlen)
                };
                let m = !(size.wrapping_sub(1));
                let start = if next & !m == 0 {
                    next
                } else {
                    (next & m).wrapping_add(size)
                };
                if exhausted
                    || start < next
                    || start > span_end
                    || start.wrapping_add(size.wrapping_sub(1)) > span_end
                {
                    return Err(EvalError::new(
                        "not enough remaining address space for a subnet",
                    ));
                }
                out.push(Json::String(format!("{}/{}", show(start, p.bits), newlen)));
                let end = start.wrapping_add(size.wrapping_sub(1));
                if end == span_end {
                    exhausted = true;
                }
                next = end.wrapping_add(1);
            }
            Ok(Json::Array(out))
        }
        _ => Err(EvalError::new("unknown network function")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{fails, k};
    use serde_json::json;

    #[test]
    fn documentation_examples() {
        assert_eq!(k("cidrhost(\"10.12.112.0/20\", 16)"), json!("10.12.112.16"));
        assert_eq!(
            k("cidrhost(\"10.12.112.0/20\", 268)"),
            json!("10.12.113.12")
        );
        assert_eq!(
            k("cidrhost(\"fd00:fd12:3456:7890:00a2::/72\", 34)"),
            json!("fd00:fd12:3456:7890::22")
        );
        assert_eq!(k("cidrhost(\"10.0.0.0/24\", -1)"), json!("10.0.0.255"));
        assert!(fails("cidrhost(\"10.0.0.0/24\", 256)"));
        assert_eq!(k("cidrnetmask(\"172.16.0.0/12\")"), json!("255.240.0.0"));
        assert_eq!(
            k("cidrsubnet(\"172.16.0.0/12\", 4, 2)"),
            json!("172.18.0.0/16")
        );
        assert_eq!(
            k("cidrsubnet(\"10.1.2.0/24\", 4, 15)"),
            json!("10.1.2.240/28")
        );
        assert_eq!(
            k("cidrsubnet(\"fd00:fd12:3456:7890::/56\", 16, 162)"),
            json!("fd00:fd12:3456:7800:a200::/72")
        );
        assert!(fails("cidrsubnet(\"10.1.2.0/24\", 4, 16)"));
        assert_eq!(
            k("cidrsubnets(\"10.1.0.0/16\", 4, 4, 8, 4)"),
            json!([
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ])
        );
        assert_eq!(
            k("cidrsubnets(\"fd00:fd12:3456:7890::/56\", 16, 16, 16, 32)"),
            json!([
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88"
            ])
        );
        assert!(fails("cidrsubnets(\"10.0.0.0/30\", 1, 1, 1)"));
    }
}
