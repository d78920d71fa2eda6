//! CIDR functions (`parseCidr`, `cidrSubnet`, `cidrHost`): Microsoft Learn
//! template-functions-cidr, for IPv4 and IPv6.
//!
//! Addresses are handled as 128-bit integers with the family's width, so both families share
//! one implementation. Host bits set in the network argument are cleared, as the network
//! address is what the functions describe.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde_json::{json, Value as Json};

use super::{k, Call, Ev, Fun};
use crate::value::{EvalError, Value};

/// The CIDR function named `lname`.
pub(super) fn function(lname: &str) -> Option<Fun> {
    Some(match lname {
        "parsecidr" => parse_cidr,
        "cidrsubnet" => cidr_subnet,
        "cidrhost" => cidr_host,
        _ => return None,
    })
}

/// A network: its address (host bits cleared), prefix length and family width.
struct Net {
    addr: u128,
    prefix: u32,
    v4: bool,
}

impl Net {
    /// 32 or 128.
    fn bits(&self) -> u32 {
        if self.v4 {
            32
        } else {
            128
        }
    }

    /// The mask of `prefix` leading ones within the family's width.
    fn mask_of(&self, prefix: u32) -> u128 {
        let host = self.bits() - prefix;
        if host >= 128 {
            0
        } else {
            all_of(self.v4) & !((1u128 << host) - 1)
        }
    }

    /// The last address of the network.
    fn last(&self) -> u128 {
        self.addr | (!self.mask_of(self.prefix) & all_of(self.v4))
    }

    fn show(&self, a: u128) -> String {
        if self.v4 {
            Ipv4Addr::from(a as u32).to_string()
        } else {
            Ipv6Addr::from(a).to_string()
        }
    }
}

/// All ones within the family's width.
fn all_of(v4: bool) -> u128 {
    if v4 {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    }
}

/// Argument `i` as a network in CIDR notation.
fn net(c: &Call, v: &[Json], i: usize) -> Result<Net, EvalError> {
    let s = c.str(v, i)?;
    let bad = || {
        c.bad_value(
            i,
            "a network in CIDR notation, e.g. '10.0.0.0/16'",
            format!("'{s}'"),
        )
    };
    let (a, p) = s.split_once('/').ok_or_else(bad)?;
    let ip: IpAddr = a.trim().parse().map_err(|_| bad())?;
    let prefix: u32 = p.trim().parse().map_err(|_| bad())?;
    let (addr, v4) = match ip {
        IpAddr::V4(x) => (u128::from(u32::from(x)), true),
        IpAddr::V6(x) => (u128::from(x), false),
    };
    let mut n = Net { addr, prefix, v4 };
    if prefix > n.bits() {
        return Err(bad());
    }
    n.addr &= n.mask_of(prefix);
    Ok(n)
}

fn parse_cidr(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let n = net(c, v, 0)?;
    let last = n.last();
    let mut out = json!({
        "network": n.show(n.addr),
        "netmask": n.show(n.mask_of(n.prefix)),
        "cidr": n.prefix,
    });
    if n.v4 {
        // The network and broadcast addresses are not usable, except in /31 and /32 networks
        // that have no room for them.
        let (first, last_usable) = if n.prefix >= 31 {
            (n.addr, last)
        } else {
            (n.addr + 1, last - 1)
        };
        out["broadcast"] = json!(n.show(last));
        out["firstUsable"] = json!(n.show(first));
        out["lastUsable"] = json!(n.show(last_usable));
    } else {
        // The documented IPv6 example counts the whole range as usable.
        out["firstUsable"] = json!(n.show(n.addr));
        out["lastUsable"] = json!(n.show(last));
    }
    k(out)
}

fn cidr_subnet(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(3, 3)?;
    let n = net(c, v, 0)?;
    let new = c.int(v, 1)?;
    if new < i64::from(n.prefix) || new > i64::from(n.bits()) {
        return Err(c.bad_value(
            1,
            &format!("a prefix length within {}..={}", n.prefix, n.bits()),
            new.to_string(),
        ));
    }
    let new = new as u32;
    let index = c.int(v, 2)?;
    let count_bits = new - n.prefix;
    let fits = u128::try_from(index)
        .ok()
        .filter(|&i| count_bits >= 64 || i < (1u128 << count_bits));
    let Some(index) = fits else {
        return Err(c.bad_value(
            2,
            &format!("a subnet index within 0..2^{count_bits}"),
            index.to_string(),
        ));
    };
    let shift = n.bits() - new;
    let offset = if shift >= 128 { 0 } else { index << shift };
    k(Json::String(format!("{}/{new}", n.show(n.addr | offset))))
}

fn cidr_host(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let n = net(c, v, 0)?;
    let index = c.int(v, 1)?;
    // Host 0 is the address after the network address; an IPv4 network's broadcast address
    // is not a host.
    let last_host = if n.v4 {
        n.last().saturating_sub(1)
    } else {
        n.last()
    };
    let host = u128::try_from(index)
        .ok()
        .and_then(|i| n.addr.checked_add(1)?.checked_add(i))
        .filter(|&h| h <= last_host);
    match host {
        Some(h) => k(Json::String(n.show(h))),
        None => Err(c.bad_value(
            1,
            &format!(
                "a host index within 0..{}",
                last_host.saturating_sub(n.addr)
            ),
            index.to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, ev};
    use crate::value::EvalError;
    use serde_json::json;

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-cidr#parsecidr
    #[test]
    fn parse_cidr_doc_examples() {
        assert_eq!(
            ev("[parseCidr('10.144.0.0/20')]"),
            json!({
                "network": "10.144.0.0",
                "netmask": "255.255.240.0",
                "broadcast": "10.144.15.255",
                "firstUsable": "10.144.0.1",
                "lastUsable": "10.144.15.254",
                "cidr": 20
            })
        );
        assert_eq!(
            ev("[parseCidr('fdad:3236:5555::/48')]"),
            json!({
                "network": "fdad:3236:5555::",
                "netmask": "ffff:ffff:ffff::",
                "firstUsable": "fdad:3236:5555::",
                "lastUsable": "fdad:3236:5555:ffff:ffff:ffff:ffff:ffff",
                "cidr": 48
            })
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-cidr#cidrsubnet
    #[test]
    fn cidr_subnet_doc_examples() {
        let v4: Vec<_> = (0..5)
            .map(|i| ev(&format!("[cidrSubnet('10.144.0.0/20', 24, {i})]")))
            .collect();
        assert_eq!(
            v4,
            [
                "10.144.0.0/24",
                "10.144.1.0/24",
                "10.144.2.0/24",
                "10.144.3.0/24",
                "10.144.4.0/24"
            ]
            .map(|s| json!(s))
        );
        let v6: Vec<_> = (0..5)
            .map(|i| ev(&format!("[cidrSubnet('fdad:3236:5555::/48', 52, {i})]")))
            .collect();
        assert_eq!(
            v6,
            [
                "fdad:3236:5555::/52",
                "fdad:3236:5555:1000::/52",
                "fdad:3236:5555:2000::/52",
                "fdad:3236:5555:3000::/52",
                "fdad:3236:5555:4000::/52"
            ]
            .map(|s| json!(s))
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-cidr#cidrhost
    #[test]
    fn cidr_host_doc_examples() {
        let v4: Vec<_> = (0..5)
            .map(|i| ev(&format!("[cidrHost('10.144.3.0/24', {i})]")))
            .collect();
        assert_eq!(
            v4,
            [
                "10.144.3.1",
                "10.144.3.2",
                "10.144.3.3",
                "10.144.3.4",
                "10.144.3.5"
            ]
            .map(|s| json!(s))
        );
        let v6: Vec<_> = (0..5)
            .map(|i| ev(&format!("[cidrHost('fdad:3236:5555:3000::/52', {i})]")))
            .collect();
        assert_eq!(
            v6,
            [
                "fdad:3236:5555:3000::1",
                "fdad:3236:5555:3000::2",
                "fdad:3236:5555:3000::3",
                "fdad:3236:5555:3000::4",
                "fdad:3236:5555:3000::5"
            ]
            .map(|s| json!(s))
        );
        // The description's example: in 192.168.1.0/24 hosts run from .1 to .254.
        assert_eq!(ev("[cidrHost('192.168.1.0/24', 0)]"), json!("192.168.1.1"));
        assert_eq!(
            ev("[cidrHost('192.168.1.0/24', 253)]"),
            json!("192.168.1.254")
        );
    }

    #[test]
    fn bad_networks_and_indexes_are_errors() {
        for bad in [
            "[parseCidr('10.0.0.0')]",
            "[parseCidr('10.0.0.0/33')]",
            "[parseCidr('nonsense/8')]",
            "[cidrSubnet('10.0.0.0/16', 8, 0)]",
            "[cidrSubnet('10.0.0.0/16', 24, 256)]",
            "[cidrSubnet('10.0.0.0/16', 24, -1)]",
            "[cidrHost('192.168.1.0/24', 254)]",
            "[cidrHost('192.168.1.0/24', -1)]",
            "[cidrHost('10.0.0.0/32', 0)]",
        ] {
            assert!(
                matches!(err(bad), crate::Error::Eval(EvalError::Argument { .. })),
                "{bad}"
            );
        }
        // The widest splits stay within 128 bits.
        assert_eq!(ev("[cidrSubnet('::/0', 128, 1)]"), json!("::1/128"));
        assert_eq!(
            ev("[cidrSubnet('::/0', 64, 9223372036854775807)]"),
            json!("7fff:ffff:ffff:ffff::/64")
        );
        assert_eq!(
            ev("[cidrHost('::/0', 9223372036854775807)]"),
            json!("::8000:0:0:0")
        );
    }
}
