//! The commands that explain an estate: one flow hop by hop, every flow between two places,
//! exposure, and a subnet's effective routes and security rules.

use std::process::ExitCode;

use aksnet_emit::analysis;
use aksnet_engine::trace::Verdict;

use crate::cli::{Expect, Format, Input, TraceArgs};
use crate::commands::{json, print, Outcome};
use crate::{args, EXIT_FINDINGS};

/// `aksnet trace`: exit 1 when the verdict is not the one `--expect` asks for.
pub fn trace(a: &TraceArgs) -> Outcome {
    let input = &a.input;
    let estate = input.estate()?;
    let dp = input.plane(&estate)?;
    let q = args::query(&dp, &a.from, &a.to, &a.protocol, a.port, a.fqdn.clone())?;
    let t = dp.trace(&q);
    crate::commands::emit(&if a.format == Format::Json {
        json(&t)
    } else {
        analysis::trace_text(&t)
    });
    let want = a.expect.map(|e| match e {
        Expect::Allowed => Verdict::Allowed,
        Expect::Denied => Verdict::Denied,
    });
    Ok(if want.is_some_and(|w| w != t.verdict) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// `aksnet reach`.
pub fn reach(input: &Input, from: &str, to: &str, format: Format) -> Outcome {
    let estate = input.estate()?;
    let dp = input.plane(&estate)?;
    let r = dp.reach(&args::place(&dp, from)?, &args::place(&dp, to)?);
    print(if format == Format::Json {
        json(&r)
    } else {
        analysis::reach_text(&r)
    })
}

/// `aksnet exposure`.
pub fn exposure(input: &Input, from: &str, format: Format) -> Outcome {
    let estate = input.estate()?;
    let dp = input.plane(&estate)?;
    let r = dp.exposure(&args::place(&dp, from)?);
    print(if format == Format::Json {
        json(&r)
    } else {
        analysis::exposure_text(&r)
    })
}

/// `aksnet routes`.
pub fn routes(input: &Input, subnet: &str, format: Format) -> Outcome {
    let estate = input.estate()?;
    let dp = input.plane(&estate)?;
    let s = args::subnet(&dp, subnet)?;
    print(if format == Format::Json {
        json(
            &serde_json::json!({ "subnet": subnet, "value": dp.routes[s], "notes": analysis::route_notes(&dp, s) }),
        )
    } else {
        analysis::routes_text(&dp, s)
    })
}

/// A subnet's effective security rules as JSON: its NSG's, and (when there are any) those of
/// the NIC-level NSGs of the network interfaces in it.
fn nsg_json(
    dp: &aksnet_engine::DataPlane,
    s: aksnet_engine::topology::SubnetIx,
    subnet: &str,
) -> serde_json::Value {
    let sub = &dp.topology.subnets[s];
    let mut v = serde_json::json!({ "subnet": subnet, "nsg": sub.nsg, "exempt": sub.nsg_exempt(), "effectiveSecurityRules": dp.nsgs[s] });
    if !dp.nic_nsgs[s].is_empty() {
        v["nicSecurityGroups"] = dp.nic_nsgs[s]
            .iter()
            .map(|g| serde_json::json!({ "nsg": g.nsg, "networkInterfaces": g.nics, "addresses": g.addresses.to_string(), "inEstate": !g.absent, "effectiveSecurityRules": g.rules }))
            .collect();
    }
    v
}

/// `aksnet nsg-rules`.
pub fn nsg_rules(input: &Input, subnet: &str, format: Format) -> Outcome {
    let estate = input.estate()?;
    let dp = input.plane(&estate)?;
    let s = args::subnet(&dp, subnet)?;
    print(if format == Format::Json {
        json(&nsg_json(&dp, s, subnet))
    } else {
        analysis::nsg_text(&dp, s)
    })
}
