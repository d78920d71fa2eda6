//! The rule catalog, one file per rule. A rule is registered by its `mod` line below (one line
//! each); `build.rs` lists this directory and generates [`ALL`] from it, so a file without its
//! line, or a line without its file, does not compile.

mod aks_reserved_ranges;
mod app_gateway_forced_tunnel;
mod app_gateway_nsg_blocks_platform;
mod authorized_ranges_miss_egress_ip;
mod authorized_ranges_on_private_cluster;
mod bastion_nsg_missing_rules;
mod cluster_identity_cannot_manage_network;
mod cluster_nodes_limit;
mod cluster_pools_limit;
mod dedicated_pool_shares_subnet;
mod egress_bypasses_firewall;
mod firewall_blocks_required_endpoint;
mod firewall_rule_combinations_limit;
mod fqdn_network_rule_without_dns_proxy;
mod inbound_return_asymmetric;
mod key_vault_public_access;
mod kubelet_cannot_pull;
mod kubenet_retiring;
mod no_network_policy;
mod node_public_ip;
mod nodes_reachable_from_internet;
mod nsg_addresses_limit;
mod nsg_rules_limit;
mod onprem_bypasses_firewall;
mod outbound_type_inconsistent_with_routes;
mod overlapping_address_spaces;
mod paas_without_private_endpoint;
mod pod_cidr_nodes_at_scale;
mod policy_rule_collection_groups_limit;
mod pool_nodes_limit;
mod private_api_without_management_path;
mod private_endpoint_asymmetric;
mod private_endpoint_name_not_private;
mod public_api_without_authorized_ranges;
mod public_app_gateway_without_waf_prevention;
mod registry_data_record_missing;
mod registry_not_premium;
mod registry_public_access;
mod remote_login_from_internet;
mod route_table_routes_limit;
mod rule_collection_group_size_limit;
mod secrets_provider_cannot_read;
mod special_subnet_misconfigured;
mod spoke_to_spoke_bypasses_hub;
mod spoke_without_firewall;
mod subnet_addresses_at_scale;
mod subnet_too_small_for_pools;
mod subnet_without_nsg;
mod threat_intel_not_deny;
mod unrestricted_egress_rule;
mod vnet_peerings_limit;

include!(concat!(env!("OUT_DIR"), "/registry.rs"));
