"""The vendor's per-account quotas, applied only by a server started with `--limits vendor`:
5 compliance packs and 200 config rules per account (a pack's rules included). The default
server's generous limits are what every other module runs under."""

from __future__ import annotations

import pathlib
import uuid
from typing import Iterator

import pytest

from clients import make_client
from conftest import _serve
from confpack_process import ConfpackServer
from rules import ALIYUN, call, create_managed, error, list_rules

EIP_RULE = "eip-bandwidth-limit"
READ_RULE = "oss-bucket-public-read-prohibited"


@pytest.fixture(scope="module")
def vendor_server(confpack_bin: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfpackServer]:
    yield from _serve(confpack_bin, tmp_path_factory, "--limits", "vendor")


@pytest.fixture
def vendor_client(vendor_server: ConfpackServer, client_kind: str):
    credentials = vendor_server.create_account(f"limits-{uuid.uuid4().hex[:12]}")
    return make_client(client_kind, vendor_server.endpoint, credentials)


def one_rule_pack(client, name: str):
    return call(client, "CreateCompliancePack", CompliancePackName=name,
                ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])["CompliancePackId"]


def test_a_sixth_pack_is_refused(vendor_client):
    for i in range(5):
        one_rule_pack(vendor_client, f"pack-{i}")
    failure = error(vendor_client, "CreateCompliancePack", CompliancePackName="pack-5",
                    ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])
    assert (failure.status, failure.code) == (400, "CompliancePackExceedMaxCount")
    assert "at most 5" in failure.message
    packs = call(vendor_client, "ListCompliancePacks", PageSize=20)["CompliancePacksResult"]
    assert packs["TotalCount"] == 5, "the refused pack left nothing behind"


def test_the_two_hundred_and_first_rule_is_refused(vendor_client):
    for i in range(199):
        create_managed(vendor_client, EIP_RULE, f"eip-{i}")
    pack_id = one_rule_pack(vendor_client, "last one")  # the 200th rule, through a pack
    failure = error(vendor_client, "CreateConfigRule", SourceOwner=ALIYUN, SourceIdentifier=EIP_RULE,
                    ConfigRuleName="one too many")
    assert (failure.status, failure.code) == (400, "ExceedMaxRuleCount")
    failure = error(vendor_client, "CreateCompliancePack", CompliancePackName="too many",
                    ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])
    assert (failure.status, failure.code) == (400, "ConfigRuleExceedMaxRuleCount")
    # Replacing the pack's one rule by two would exceed; replacing it by another does not.
    failure = error(vendor_client, "UpdateCompliancePack", CompliancePackId=pack_id,
                    ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}, {"ManagedRuleIdentifier": EIP_RULE}])
    assert (failure.status, failure.code) == (400, "ConfigRuleExceedMaxRuleCount")
    call(vendor_client, "UpdateCompliancePack", CompliancePackId=pack_id,
         ConfigRules=[{"ManagedRuleIdentifier": EIP_RULE, "ConfigRuleParameters": [{"ParameterName": "bandwidth", "ParameterValue": "10"}]}])
    listed = list_rules(vendor_client, CompliancePackId=pack_id, PageSize=100)
    assert [r["SourceIdentifier"] for r in listed["ConfigRuleList"]] == [EIP_RULE]
