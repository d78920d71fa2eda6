//! Turning command-line strings into engine queries: places, subnets, trace queries.

use aksnet_engine::places::Place;
use aksnet_engine::topology::SubnetIx;
use aksnet_engine::trace::Query;
use aksnet_engine::DataPlane;
use aksnet_net::Protocol;

/// Builds a trace query from CLI strings.
pub fn query(
    dp: &DataPlane,
    from: &str,
    to: &str,
    protocol: &str,
    port: u16,
    fqdn: Option<String>,
) -> Result<Query, String> {
    let from = dp.place(from).map_err(|e| format!("error: {e}"))?;
    let to = dp.place(to).map_err(|e| format!("error: {e}"))?;
    let protocol: Protocol = protocol.parse().map_err(|e| format!("error: {e}"))?;
    Ok(Query {
        from,
        to,
        protocol,
        port,
        fqdn,
    })
}

/// Parses a place, with the CLI's error prefix.
pub fn place(dp: &DataPlane, text: &str) -> Result<Place, String> {
    dp.place(text).map_err(|e| format!("error: {e}"))
}

/// The subnet a `VNET/SUBNET` place names.
pub fn subnet(dp: &DataPlane, text: &str) -> Result<SubnetIx, String> {
    match dp.place(text).map_err(|e| format!("error: {e}"))? {
        Place::Subnet(s) => Ok(s),
        _ => Err(format!(
            "error: `{text}` is not a subnet\n  = hint: write VNET/SUBNET, e.g. {}",
            dp.known_places()
                .iter()
                .find(|p| p.contains('/'))
                .cloned()
                .unwrap_or_default()
        )),
    }
}
