//! Globally unique names. A container registry (`<name>.azurecr.io`) and a key vault
//! (`<name>.vault.azure.net`) take a name that is a DNS label in a zone all of Azure shares,
//! so two deployments of one intent with the same literal names collide: the second fails
//! with `AlreadyInUse` / `VaultAlreadyExists`
//! (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules:
//! registries "unique across Azure", vaults "globally unique").
//!
//! The designer gives such a resource a base name and a short suffix, and records both here:
//! the suffix is the intent's `naming.suffix`, else derived from the resource's subscription
//! and the estate's name ([`derived_suffix`]), which the generated Terraform computes with the
//! same formula ([`TERRAFORM_DERIVATION`]), so that two users of one intent — two
//! subscriptions — get two names, and the same inputs the same bytes. Imported estates carry
//! none of this: their names are what Azure holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ResourceId;

/// Length of a derived suffix, and the longest the intent may give.
pub const SUFFIX_LEN: usize = 6;

/// How the designer made names unique.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UniqueNames {
    /// The intent's `naming.suffix`, the same in every subscription; absent: each resource's
    /// suffix is derived from its subscription ([`derived_suffix`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Each resource given a suffix, with its base name, separator included (`crcontosoaksprod`,
    /// `kv-aks-prod-`). Its name in the estate is the base and the suffix when the suffix is
    /// known at design time, else the base alone (without a trailing separator): the suffix is
    /// then derived at deployment from a subscription the intent does not name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bases: BTreeMap<ResourceId, String>,
}

impl UniqueNames {
    /// Whether no resource carries a suffix.
    pub fn is_empty(&self) -> bool {
        self.suffix.is_none() && self.bases.is_empty()
    }
}

/// The suffix derived for an estate's resources in one subscription: the first
/// [`SUFFIX_LEN`] hex digits of SHA-1 over `<subscription id, lower case>/<estate name>`.
/// Not a secret and not a security measure: a spread of names, as ARM's `uniqueString` is.
pub fn derived_suffix(subscription: &str, estate: &str) -> String {
    let digest = sha1_smol::Sha1::from(format!("{}/{estate}", subscription.to_ascii_lowercase()))
        .digest()
        .to_string();
    digest[..SUFFIX_LEN].to_string()
}

/// [`derived_suffix`] as a Terraform expression, with `{subscription}` standing for the
/// subscription id expression and `{estate}` for the estate's name.
pub const TERRAFORM_DERIVATION: &str = r#"substr(sha1("${lower({subscription})}/{estate}"), 0, 6)"#;

/// Whether `s` may be given as `naming.suffix`: 1 to [`SUFFIX_LEN`] lowercase letters or
/// digits (a registry name takes nothing else).
pub fn valid_suffix(s: &str) -> bool {
    (1..=SUFFIX_LEN).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// The base of a container registry's name: `cr`, the estate and the spoke, letters and digits
/// only (registries take 5–50 alphanumerics), short enough for any suffix.
pub fn registry_base(estate: &str, spoke: &str) -> String {
    format!("cr{estate}{spoke}")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(50 - SUFFIX_LEN)
        .collect()
}

/// The base of a key vault's name, separator included: `kv-<estate>-<spoke>-` when a full
/// suffix fits in the 24 characters a vault takes, else `kv-<spoke>-` (the suffix, derived
/// from the estate's name too, keeps estates apart), else the spoke's name cut and 4 hex digits
/// of its hash (`kv-payments-p3f9a-`: two long spoke names of one estate that begin alike stay
/// apart); never two hyphens in a row, which vault names refuse.
pub fn vault_base(estate: &str, spoke: &str) -> String {
    let room = 24 - SUFFIX_LEN - 1;
    let long = format!("kv-{estate}-{spoke}");
    let short = format!("kv-{spoke}");
    let mut base: String = if long.len() <= room {
        long
    } else if short.len() <= room {
        short
    } else {
        let hash = sha1_smol::Sha1::from(format!("{estate}/{spoke}"))
            .digest()
            .to_string();
        let cut: String = short.chars().take(room - 4).collect();
        format!("{}{}", cut.trim_end_matches('-'), &hash[..4])
    };
    while base.ends_with('-') {
        base.pop();
    }
    let mut out = String::with_capacity(base.len() + 1);
    for c in base.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.push('-');
    out
}

/// The name a resource takes in the estate: `base` and `suffix`, or `base` without its
/// trailing separator while the suffix is known only at deployment.
pub fn name(base: &str, suffix: Option<&str>) -> String {
    match suffix {
        Some(s) => format!("{base}{s}"),
        None => base.trim_end_matches('-').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suffix_is_sha1_of_subscription_and_estate() {
        // printf '%s' '11111111-2222-3333-4444-555555555555/contoso' | sha1sum
        assert_eq!(
            derived_suffix("11111111-2222-3333-4444-555555555555", "contoso"),
            "49db56"
        );
        // Case does not matter: Azure ids are case-insensitive.
        assert_eq!(
            derived_suffix("11111111-2222-3333-4444-555555555555", "contoso"),
            derived_suffix(
                "11111111-2222-3333-4444-555555555555"
                    .to_uppercase()
                    .as_str(),
                "contoso"
            )
        );
        assert_ne!(
            derived_suffix("11111111-2222-3333-4444-555555555555", "contoso"),
            derived_suffix("11111111-2222-3333-4444-555555555556", "contoso")
        );
    }

    #[test]
    fn bases_leave_room_for_a_full_suffix_within_azure_lengths() {
        for (estate, spoke) in [
            ("contoso", "aks-prod"),
            ("a", "b"),
            ("abcdefghijklmnopqrst", "abcdefghijklmnopqrst"),
            ("x-", "-y"),
        ] {
            let kv = name(&vault_base(estate, spoke), Some("zzzzzz"));
            assert!((3..=24).contains(&kv.len()), "{kv}");
            assert!(!kv.contains("--") && kv.starts_with("kv-"), "{kv}");
            let cr = name(&registry_base(estate, spoke), Some("zzzzzz"));
            assert!((5..=50).contains(&cr.len()), "{cr}");
            assert!(cr.chars().all(|c| c.is_ascii_alphanumeric()), "{cr}");
        }
        assert_eq!(vault_base("contoso", "aks-prod"), "kv-aks-prod-");
        // Two long spoke names that begin alike (the review's case) stay apart.
        let (a, b) = (
            vault_base("contoso", "payments-prod-eu1"),
            vault_base("contoso", "payments-prod-eu2"),
        );
        assert_ne!(a, b);
        assert!(
            a.len() <= 24 - SUFFIX_LEN && a.starts_with("kv-payments-p"),
            "{a}"
        );
        assert_eq!(vault_base("ct", "prod"), "kv-ct-prod-");
        assert_eq!(registry_base("contoso", "aks-prod"), "crcontosoaksprod");
        assert_eq!(name("kv-aks-prod-", None), "kv-aks-prod");
    }

    #[test]
    fn suffixes_the_intent_may_give() {
        assert!(valid_suffix("x7k2q9") && valid_suffix("a"));
        for bad in ["", "abcdefg", "AB", "a-b", "é"] {
            assert!(!valid_suffix(bad), "{bad}");
        }
    }
}
