#!/usr/bin/env python3
"""Builds crates/confpack-rules/data/compliance_pack_templates.json, the compliance-pack
template library, from the shared reference:

* rule lists: Appendix B of ../shared/reference/managed-rules.md (the template lists that
  Alibaba's own infraguard mirrors; rules it marks `*` are kept, flagged `"inferred": true`);
* template ids: §7.1 of ../shared/reference/alibaba-config-api.md where the vendor's id is
  known; otherwise a stable id of confpack's own, `ct-` + 20 hex digits of
  sha256("confpack-template:" + key), flagged `"idSource": "confpack"`;
* descriptions and labels: written here.

Two vendor templates have no published rule list (CIS, network best practice); their lists
below are confpack's reconstruction from the vendor's 2021 description, flagged
`"rulesSource": "confpack"`.

Run from the repository root; `--check` fails when the committed file differs.
"""

import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reference"
OUT = ROOT / "crates/confpack-rules/data/compliance_pack_templates.json"

VENDOR_IDS = {
    "mlps-level-3-pre-check-compliance-pack": "ct-5f26ff4e06a300c49609",
    "cis-compliance-check": "ct-5f99ff4e06a3006c54d2",
    "oss-compliance-management-best-practice": "ct-a5edff4e06a3004a5e15",
    "network-compliance-management-best-practice": "ct-d254ff4e06a300cfc654",
    "accesskey-permission-governance-best-practice": "ct-d264ff4e06a300a9c2d0",
    "database-compliance-management-best-practice": "ct-a292ff4e06a300b2db8b",
    "ecs-compliance-management-best-practice": "ct-3d20ff4e06a30027f76e",
    "rmit-financial-standard-compliance-pack": "ct-81ceff4e06a3008583ca",
    "cloud-governance-center-compliance-practice": "ct-a292ff4e06a300b2db8c",
    "security-group-best-practice": "ct-484cff4e06a300621b5b",
    "oceanbase-best-practice": "ct-484cff4e06a300621b5c",
    "resource-stability-best-practice": "ct-484cff4e06a300621b5e",
}

# Regulation templates (ListCompliancePackTemplates FilterType=LAW).
REGULATIONS = {
    "mlps-level-2-pre-check-compliance-pack", "mlps-level-3-pre-check-compliance-pack", "iso-27001-compliance",
    "pci-dss-compliance", "nist800-53-compliance", "soc2-audit-compliance", "gxp-eu-annex11-compliance",
    "china-gmp-annex-compliance", "rmit-financial-standard-compliance-pack", "cis-compliance-check",
    "generative-ai-compliance-best-practice",
}

# Reconstructed lists for the two vendor templates without a published rule list.
RECONSTRUCTED = {
    "cis-compliance-check": ("CIS Network Security Framework Compliance Check", [
        "ram-password-policy-check", "ram-user-mfa-check", "root-mfa-check", "root-ak-check",
        "ram-user-no-policy-check", "ram-user-ak-used-expired-check", "ram-policy-no-statements-with-admin-access-check",
        "actiontrail-trail-intact-enabled", "vpc-flow-logs-enabled", "ecs-security-group-risky-ports-check-with-protocol",
        "sg-public-access-check", "ecs-disk-encrypted", "ecs-instance-enabled-security-protection",
        "oss-bucket-public-read-prohibited", "oss-bucket-public-write-prohibited", "oss-bucket-only-https-enabled",
        "oss-bucket-server-side-encryption-enabled", "rds-public-access-check", "rds-instance-enabled-ssl",
        "rds-instance-enabled-tde", "rds-instance-enabled-auditing", "kms-key-rotation-enabled",
    ]),
    "network-compliance-management-best-practice": ("Network Compliance Management Best Practice", [
        "slb-servercertificate-expired-check", "slb-loadbalancer-bandwidth-limit", "eip-bandwidth-limit",
        "slb-delete-protection-enabled", "slb-listener-https-enabled", "slb-acl-public-access-check",
        "slb-no-public-ip", "slb-address-type-intranet", "vpc-flow-logs-enabled", "vpc-network-acl-risky-ports-check",
        "eip-attached", "nat-gateway-vpc-required", "vpn-gateway-vpc-required", "vswitch-available-ip-count",
        "alb-address-type-intranet", "nlb-address-type-intranet", "transit-router-vpc-attachment-multi-zone",
    ]),
}

LABELS = {
    "mlps": "MLPS", "iso": "ISO", "pci": "PCI", "nist": "NIST", "soc2": "SOC", "gxp": "GxP", "china-gmp": "GMP",
    "rmit": "RMiT", "cis": "CIS",
}


def rule_entry(identifier: str, inferred: bool, rows: dict) -> dict:
    """A template rule; the reference's name, risk level and types (those of infraguard, a
    mechanical mapping) let a rule the catalogue lacks still be shown."""
    entry = {"identifier": identifier, "inferred": inferred}
    if identifier in rows:
        name, risk, types = rows[identifier]
        entry.update({"referenceName": name, "referenceRiskLevel": risk, "referenceResourceTypes": types})
    return entry


def own_id(key: str) -> str:
    return "ct-" + hashlib.sha256(f"confpack-template:{key}".encode()).hexdigest()[:20]


def description(name: str, count: int, regulation: bool) -> str:
    kind = "regulation pre-check" if regulation else "best-practice template"
    return f"{name}: the {kind} of Alibaba Cloud Config with its {count} managed rules."


def reference_rows(text: str) -> dict:
    """Appendix A's rows: identifier → (name, risk level, resource types)."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^\| ([a-z0-9-]+) \| ([HML]) \| ([^|]*) \| ([^|]*) \| \d+ \|", line)
        if m:
            types = [t.strip() for t in m.group(3).split("→")[-1].split(",") if t.strip()]
            rows[m.group(1)] = (m.group(4).strip(), {"H": 1, "M": 2, "L": 3}[m.group(2)], types)
    return rows


def main(check: bool) -> None:
    text = (SHARED / "managed-rules.md").read_text()
    rows = reference_rows(text)
    templates = []
    for m in re.finditer(r"^- \*\*([^*]+)\*\* \(([^)]+?), \d+ rules\): ?(.*)$", text, re.M):
        key, name, body = m.group(1), m.group(2), m.group(3)
        rules = []
        for r in (r.strip() for r in body.split(",")):
            # The reference lists a few rules twice in one template; once is enough.
            if r and r.rstrip("*") not in {x.rstrip("*") for x in rules}:
                rules.append(r)
        templates.append((key, name, [rule_entry(r.rstrip("*"), r.endswith("*"), rows) for r in rules], "reference"))
    for key, (name, rules) in RECONSTRUCTED.items():
        templates.append((key, name, [rule_entry(r, False, rows) for r in rules], "confpack"))
    # Two infraguard files carry the security-group template (with the same rules); keep the
    # one the vendor's template id belongs to.
    names = {}
    for key, name, rules, source in templates:
        if name not in names or key in VENDOR_IDS:
            names[name] = (key, name, rules, source)
    out = []
    for key, name, rules, source in names.values():
        regulation = key in REGULATIONS
        label = next((v for k, v in LABELS.items() if key.startswith(k)), "")
        entry = {
            "id": VENDOR_IDS.get(key, own_id(key)),
            "idSource": "vendor" if key in VENDOR_IDS else "confpack",
            "key": key,
            "name": name,
            "description": description(name, len(rules), regulation),
            "labels": label,
            "regulation": regulation,
            "riskLevel": 1 if regulation else 2,
            "rulesSource": source,
            "rules": rules,
        }
        out.append(entry)
    out.sort(key=lambda t: (t["idSource"] != "vendor", t["name"]))
    rendered = json.dumps(out, indent=1, ensure_ascii=False) + "\n"
    if check:
        if OUT.read_text() != rendered:
            sys.exit(f"{OUT} is stale: run tools/extract_templates.py")
        return
    OUT.write_text(rendered)
    print(f"{len(out)} templates written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main("--check" in sys.argv[1:])
