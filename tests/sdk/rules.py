"""Helpers for the config-rule and evaluation-result scenarios: typed calls taking natural
Python values, rule creation, and polling for the results the background worker writes.

`call(client, action, **params)` takes each parameter the way a program would hold it (a
list for a list of ids, a dict for `InputParameters`, a list of dicts for `TagsScope`) and
hands it to the client kind's typed request in the type that request declares:

* V3 SDK: the request model is built with `from_map`, so fields the model types as
  `List[...]`/`Dict[...]` get the Python value (the SDK serialises it as it does for any
  user), while `str` fields get lists comma-joined and objects as JSON text.
* Old SDK: setters marked `# Array` get the Python value; `# String` setters get lists
  comma-joined and objects as JSON text. A parameter its request class has no setter for
  (`Conditions`, `ResourceNameScope`, …) is added the way the class sends its others: to
  the form body of a POST request, to the query of a GET one.
"""

from __future__ import annotations

import inspect
import json
import time
from typing import Any, Callable

from alibabacloud_config20200907 import models as config_models

from clients import ApiError, OldSdkClient, SdkCallSucceeded, V3Client, _snake, assert_request_id

ALIYUN = "ALIYUN"
CUSTOM_FC = "CUSTOM_FC"
CUSTOM_CONFIGURATION = "CUSTOM_CONFIGURATION"
CHANGE = "ConfigurationItemChangeNotification"
SCHEDULED = "ScheduledNotification"

#: How long a test waits for the evaluation worker (usually well under a second).
EVALUATION_DEADLINE_SECONDS = 10.0


def _as_text(value: Any) -> Any:
    """A value for a parameter the SDK declares as a string."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value)
    return value


def _v3_call(client: V3Client, action: str, params: dict[str, Any]) -> dict[str, Any]:
    model = getattr(config_models, f"{action}Request", None)
    if model is None:  # an action without parameters: the SDK method takes no request
        assert not params, f"{action} takes no parameters in the V3 SDK"
        return getattr(client._sdk, _snake(action))().body.to_map()
    declared = inspect.signature(model.__init__).parameters
    converted = {}
    for name, value in params.items():
        assert _snake(name) in declared, f"the V3 SDK's {action}Request has no field {name}"
        annotation = str(declared[_snake(name)].annotation)
        converted[name] = value if annotation.startswith(("List", "Dict")) else _as_text(value)
    request = model().from_map(converted)
    return getattr(client._sdk, _snake(action))(request).body.to_map()


#: Old-SDK `# Array` setters whose flat `Name.N` form confpack ignores (see
#: test_config_rules.py::test_old_sdk_flat_resource_types_scope): `call` sends these
#: comma-joined as one body parameter instead, unless `old_sdk_setters=True`.
OLD_SDK_FLAT_LISTS_IGNORED = {("CreateConfigRule", "ResourceTypesScope"), ("UpdateConfigRule", "ResourceTypesScope")}


def _old_sdk_call(client: OldSdkClient, action: str, params: dict[str, Any], old_sdk_setters: bool) -> dict[str, Any]:
    request = client.typed_request(action)
    for name, value in params.items():
        setter = getattr(request, f"set_{name}", None)
        if setter is not None and not old_sdk_setters and (action, name) in OLD_SDK_FLAT_LISTS_IGNORED:
            request.add_body_params(name, _as_text(value))
        elif setter is None:
            adder = request.add_body_params if request.get_method() == "POST" else request.add_query_param
            adder(name, _as_text(value))
        elif "# Array" in inspect.getsource(setter).splitlines()[0]:
            setter(value)
        else:
            setter(_as_text(value))
    return json.loads(client.sdk.do_action_with_exception(request))


def call(client, action: str, *, old_sdk_setters: bool = False, **params: Any) -> dict[str, Any]:
    """`action` through the client kind's typed request, `params` as natural Python values
    (None values are left out). `old_sdk_setters` makes the old SDK use its own setter
    for the parameters of OLD_SDK_FLAT_LISTS_IGNORED too."""
    params = {k: v for k, v in params.items() if v is not None}
    if isinstance(client, V3Client):
        return _v3_call(client, action, params)
    return _old_sdk_call(client, action, params, old_sdk_setters)


def error(client, action: str, **params: Any) -> ApiError:
    """Calls `action` like `call`, expects the SDK to raise, and returns the error."""
    try:
        response = call(client, action, **params)
    except Exception as exception:  # noqa: BLE001 - error_from re-raises what it does not know
        found = client.error_from(exception)
    else:
        raise SdkCallSucceeded(f"{action} succeeded: {response}")
    assert_request_id(found.request_id)
    return found


# --- rules --------------------------------------------------------------------------------


def create_managed(client, identifier: str, name: str, **params: Any) -> str:
    """`CreateConfigRule` of the managed rule `identifier`; returns the ConfigRuleId."""
    body = call(client, "CreateConfigRule", SourceOwner=ALIYUN, SourceIdentifier=identifier, ConfigRuleName=name,
                ConfigRuleTriggerTypes=CHANGE, RiskLevel=params.pop("RiskLevel", None), **params)
    assert_request_id(body["RequestId"])
    return body["ConfigRuleId"]


def create_condition(client, name: str, conditions: Any, resource_types: list[str], **params: Any) -> str:
    """`CreateConfigRule` of a condition rule (`CUSTOM_CONFIGURATION`); `conditions` as a
    Python value is sent as its JSON text."""
    text = conditions if isinstance(conditions, str) else json.dumps(conditions)
    body = call(client, "CreateConfigRule", SourceOwner=CUSTOM_CONFIGURATION, ConfigRuleName=name, Conditions=text,
                ResourceTypesScope=resource_types, ConfigRuleTriggerTypes=CHANGE, **params)
    return body["ConfigRuleId"]


def get_rule(client, rule_id: str) -> dict[str, Any]:
    return call(client, "GetConfigRule", ConfigRuleId=rule_id)["ConfigRule"]


def list_rules(client, **params: Any) -> dict[str, Any]:
    """One `ListConfigRules` page: its `ConfigRules`."""
    return call(client, "ListConfigRules", **params)["ConfigRules"]


def operate_items(body: dict[str, Any]) -> dict[str, tuple[bool, str]]:
    """An OperateRuleResult as {ConfigRuleId: (Success, ErrorCode)}."""
    return {i["ConfigRuleId"]: (i["Success"], i["ErrorCode"]) for i in body["OperateRuleResult"]["OperateRuleItemList"]}


# --- results ------------------------------------------------------------------------------


def results_page(client, **params: Any) -> dict[str, Any]:
    """One `ListConfigRuleEvaluationResults` page: its `EvaluationResults`."""
    return call(client, "ListConfigRuleEvaluationResults", **params)["EvaluationResults"]


def all_results(client, page_size: int = 100, **filters: Any) -> list[dict[str, Any]]:
    """Every `ListConfigRuleEvaluationResults` item matching `filters`, over all pages."""
    items: list[dict[str, Any]] = []
    token = None
    for _ in range(1000):
        page = results_page(client, MaxResults=page_size, NextToken=token, **filters)
        items += page.get("EvaluationResultList") or []
        token = page.get("NextToken")
        if not token:
            return items
    raise AssertionError("paging does not end")


def qualifier(result: dict[str, Any]) -> dict[str, Any]:
    return result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]


def verdicts(results: list[dict[str, Any]]) -> dict[str, str]:
    """{ResourceId: ComplianceType} of results (of one rule)."""
    found = {qualifier(r)["ResourceId"]: r["ComplianceType"] for r in results}
    assert len(found) == len(results), f"a resource has two results: {results}"
    return found


def rule_verdicts(client, rule_id: str) -> dict[str, str]:
    return verdicts(all_results(client, ConfigRuleId=rule_id))


def wait_for(read: Callable[[], Any], done: Callable[[Any], bool], what: str,
             timeout: float = EVALUATION_DEADLINE_SECONDS) -> Any:
    """Calls `read` until `done(value)` holds, up to `timeout` seconds; returns the value."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout} s still waiting for {what}; last seen: {value!r}")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def wait_for_verdicts(client, rule_id: str, expected: dict[str, str]) -> dict[str, str]:
    """Waits until the rule's results are exactly `expected` ({ResourceId: ComplianceType})
    and the rule is no longer EVALUATING.

    The second condition matters to a test that changes the rule next: a whole-scope
    evaluation writes its results before it saves the rule's evaluation status, and that save
    rewrites the whole rule as read a moment earlier, so an update landing in between would
    be lost (a server race, see the report of test_config_rules.py)."""
    def read() -> tuple[dict[str, str], str]:
        state = get_rule(client, rule_id)["ConfigRuleState"]
        return rule_verdicts(client, rule_id), state

    return wait_for(read, lambda v: v[0] == expected and v[1] != "EVALUATING", f"results {expected} of {rule_id}")[0]


def wait_until_evaluated(client, rule_id: str) -> dict[str, Any]:
    """Waits until the rule is no longer EVALUATING (its queued whole-scope evaluations
    ran); returns GetConfigRule's ConfigRule."""
    return wait_for(lambda: get_rule(client, rule_id), lambda r: r["ConfigRuleState"] != "EVALUATING",
                    f"{rule_id} to finish evaluating")


def resource_key(account_id: int, resource_type: str, resource_id: str, region: str) -> dict[str, Any]:
    """An item of Ignore/RevertEvaluationResults' `Resources`."""
    return {"ResourceAccountId": account_id, "Region": region, "ResourceType": resource_type, "ResourceId": resource_id}
