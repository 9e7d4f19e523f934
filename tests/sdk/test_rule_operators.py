"""ListConfigRuleOperators through every client kind: the operator catalogue condition
rules are built from, as the vendor's response model shapes it."""

EXPECTED_SAMPLE = {"Name": "StringEquals", "Operator": "StringEquals", "DataType": "String"}


def test_every_client_kind_reads_the_operator_catalogue(client):
    body = client.call_untyped("ListConfigRuleOperators")
    operators = body["Operators"]
    assert len(operators) >= 20
    assert all(set(o) == {"DataType", "Description", "Name", "Operator"} for o in operators)
    sample = next(o for o in operators if o["Name"] == "StringEquals")
    assert {k: sample[k] for k in EXPECTED_SAMPLE} == EXPECTED_SAMPLE
    assert {o["DataType"] for o in operators} >= {"String", "Number", "Array"}


def test_the_v3_sdk_parses_the_catalogue_into_its_typed_model(server):
    from clients import make_client

    sdk = make_client("v3", server.endpoint, server.credentials)._sdk
    response = sdk.list_config_rule_operators()
    names = [o.name for o in response.body.operators]
    assert "GreaterOrEquals" in names and "ContainsAll" in names
