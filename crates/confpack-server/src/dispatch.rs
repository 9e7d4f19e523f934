//! The handler table: which actions confpack implements, and the function serving each.
//! `confpack actions` and the `OperationNotSupported` answer both read it.

use confpack_protocol::Action;

use crate::handlers::{self, ActionResult, CallContext};

/// Defines [`dispatch`] and [`supported_actions`] from one list.
macro_rules! handler_table {
    ($($action:ident => $handler:path,)*) => {
        /// Runs the handler for `action`, or `None` when confpack does not implement it.
        pub(crate) async fn dispatch(action: Action, ctx: &CallContext<'_>) -> Option<ActionResult> {
            match action {
                $(Action::$action => Some($handler(ctx).await),)*
                _ => None,
            }
        }

        /// The actions this server implements.
        pub fn supported_actions() -> &'static [Action] {
            &[$(Action::$action,)*]
        }
    };
}

handler_table! {
    ListDiscoveredResources => handlers::discovery::list_discovered_resources,
    GetDiscoveredResource => handlers::discovery::get_discovered_resource,
    GetResourceConfigurationTimeline => handlers::discovery::get_resource_configuration_timeline,
    GetDiscoveredResourceCountsGroupByRegion => handlers::discovery::get_discovered_resource_counts_group_by_region,
    GetDiscoveredResourceCountsGroupByResourceType => handlers::discovery::get_discovered_resource_counts_group_by_resource_type,
    GetResourceConfigurationSample => handlers::discovery::get_resource_configuration_sample,
    PutDiscoveredResources => handlers::ingestion::put_discovered_resources,
    DeleteDiscoveredResources => handlers::ingestion::delete_discovered_resources,
    ListConfigRuleOperators => handlers::rules::list_config_rule_operators,
    CreateConfigRule => handlers::rules::create_config_rule,
    GetConfigRule => handlers::rules::get_config_rule,
    ListConfigRules => handlers::rules::list_config_rules,
    UpdateConfigRule => handlers::rules::update_config_rule,
    DeleteConfigRules => handlers::rules::delete_config_rules,
    ActiveConfigRules => handlers::rules::active_config_rules,
    DeactiveConfigRules => handlers::rules::deactive_config_rules,
    StartConfigRuleEvaluation => handlers::rules::start_config_rule_evaluation,
    ListManagedRules => handlers::managed::list_managed_rules,
    GetManagedRule => handlers::managed::get_managed_rule,
    ListPreManagedRules => handlers::managed::list_pre_managed_rules,
    EvaluatePreConfigRules => handlers::managed::evaluate_pre_config_rules,
    ListConfigRuleEvaluationResults => handlers::results::list_config_rule_evaluation_results,
    ListResourceEvaluationResults => handlers::results::list_resource_evaluation_results,
    GetResourceComplianceByConfigRule => handlers::results::get_resource_compliance_by_config_rule,
    GetComplianceSummary => handlers::results::get_compliance_summary,
    GetConfigRuleSummaryByRiskLevel => handlers::results::get_config_rule_summary_by_risk_level,
    IgnoreEvaluationResults => handlers::results::ignore_evaluation_results,
    RevertEvaluationResults => handlers::results::revert_evaluation_results,
    GetResourceComplianceTimeline => handlers::results::get_resource_compliance_timeline,
    PutEvaluations => handlers::results::put_evaluations,
    ListCompliancePackTemplates => handlers::templates::list_compliance_pack_templates,
    CreateCompliancePack => handlers::packs::create_compliance_pack,
    GetCompliancePack => handlers::packs::get_compliance_pack,
    ListCompliancePacks => handlers::packs::list_compliance_packs,
    DeleteCompliancePacks => handlers::packs::delete_compliance_packs,
    UpdateCompliancePack => handlers::packs::update_compliance_pack,
    AttachConfigRuleToCompliancePack => handlers::packs::attach_config_rule_to_compliance_pack,
    DetachConfigRuleToCompliancePack => handlers::packs::detach_config_rule_to_compliance_pack,
    GetConfigRuleComplianceByPack => handlers::packs::get_config_rule_compliance_by_pack,
    GetResourceComplianceByPack => handlers::packs::get_resource_compliance_by_pack,
    GenerateCompliancePackReport => handlers::reports::generate_compliance_pack_report,
    GetCompliancePackReport => handlers::reports::get_compliance_pack_report,
    GenerateConfigRulesReport => handlers::reports::generate_config_rules_report,
    GetConfigRulesReport => handlers::reports::get_config_rules_report,
}
