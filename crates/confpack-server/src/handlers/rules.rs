//! Config-rule actions. So far the operator catalogue that condition rules are built from.

use confpack_rules::{OPERATORS, Operator};
use serde::Serialize;

use super::{ActionResult, CallContext, reply};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListConfigRuleOperatorsResponse {
    operators: &'static [Operator],
}

/// `ListConfigRuleOperators`: every operator the condition evaluator implements.
pub(crate) async fn list_config_rule_operators(_ctx: &CallContext<'_>) -> ActionResult {
    reply(&ListConfigRuleOperatorsResponse { operators: OPERATORS })
}
