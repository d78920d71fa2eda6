//! Turning command-line strings into engine queries: places, subnets, trace queries.

use aksnet_engine::places::{Place, PlaceError};
use aksnet_engine::topology::SubnetIx;
use aksnet_engine::trace::Query;
use aksnet_engine::DataPlane;
use aksnet_model::Diagnostic;
use aksnet_net::Protocol;

/// A place the estate does not have, with the places it has.
fn unknown(e: PlaceError) -> Diagnostic {
    Diagnostic::error(e.to_string()).hint(format!("known places: {}", e.known.join(", ")))
}

/// Builds a trace query from CLI strings.
pub fn query(
    dp: &DataPlane,
    from: &str,
    to: &str,
    protocol: &str,
    port: u16,
    fqdn: Option<String>,
) -> Result<Query, Diagnostic> {
    let from = place(dp, from)?;
    let to = place(dp, to)?;
    let protocol: Protocol = protocol.parse().map_err(|e| {
        Diagnostic::error(format!("--protocol: {e}")).hint("write tcp, udp or icmp")
    })?;
    Ok(Query {
        from,
        to,
        protocol,
        port,
        fqdn,
    })
}

/// Parses a place.
pub fn place(dp: &DataPlane, text: &str) -> Result<Place, Diagnostic> {
    dp.place(text).map_err(unknown)
}

/// The subnet a `VNET/SUBNET` place names.
pub fn subnet(dp: &DataPlane, text: &str) -> Result<SubnetIx, Diagnostic> {
    match place(dp, text)? {
        Place::Subnet(s) => Ok(s),
        _ => Err(
            Diagnostic::error(format!("`{text}` is not a subnet")).hint(format!(
                "write VNET/SUBNET, e.g. {}",
                dp.known_places()
                    .iter()
                    .find(|p| p.contains('/'))
                    .cloned()
                    .unwrap_or_default()
            )),
        ),
    }
}
