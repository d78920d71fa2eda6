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
    print!(
        "{}",
        if a.format == Format::Json {
            json(&t)
        } else {
            analysis::trace_text(&t)
        }
    );
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
        json(&serde_json::json!({ "subnet": subnet, "value": dp.routes[s] }))
    } else {
        analysis::routes_text(&dp, s)
    })
}

/// `aksnet nsg-rules`.
pub fn nsg_rules(input: &Input, subnet: &str, format: Format) -> Outcome {
    let estate = input.estate()?;
    let dp = input.plane(&estate)?;
    let s = args::subnet(&dp, subnet)?;
    let sub = &dp.topology.subnets[s];
    print(if format == Format::Json {
        json(
            &serde_json::json!({ "subnet": subnet, "nsg": sub.nsg, "exempt": sub.nsg_exempt(), "effectiveSecurityRules": dp.nsgs[s] }),
        )
    } else {
        analysis::nsg_text(&dp, s)
    })
}
