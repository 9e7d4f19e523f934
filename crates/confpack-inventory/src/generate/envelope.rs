//! The envelope every generated item is wrapped in: the ingestion fields (`ResourceId`,
//! `ResourceType`, `Region`, …, `Tags`) around the API's `Configuration`, and the tags in
//! each API's own spelling.

use super::emit::Emit;
use super::run::Run;

/// Tags as key/value pairs, rendered in each API's own spelling.
pub(super) struct Tags(pub Vec<(&'static str, &'static str)>);

impl Tags {
    /// No tags: global and account-level resources carry none.
    pub(super) const NONE: Tags = Tags(Vec::new());

    /// The envelope's `{"key":["value"]}`.
    fn envelope<E: Emit>(&self, e: &mut E) {
        e.object(|e| self.0.iter().for_each(|(k, v)| e.strs(k, [v])));
    }

    /// `{"Tag":[{…:key,…:value}]}`, with the member names `spelling` gives.
    fn configuration<E: Emit>(&self, e: &mut E, spelling: TagSpelling) {
        let (key_name, value_name) = match spelling {
            TagSpelling::TagKeyValue => ("TagKey", "TagValue"),
            TagSpelling::KeyValue => ("Key", "Value"),
        };
        e.object(|e| {
            e.arr("Tag", |e| {
                for (k, v) in &self.0 {
                    e.object(|e| {
                        e.str(key_name, k);
                        e.str(value_name, v);
                    });
                }
            });
        });
    }
}

/// How an API names a tag's members inside its own configuration.
#[derive(Clone, Copy)]
pub(super) enum TagSpelling {
    /// `{"TagKey":…,"TagValue":…}` (ECS, SLB, RDS).
    TagKeyValue,
    /// `{"Key":…,"Value":…}` (VPC, EIP, Redis).
    KeyValue,
}

/// The ingestion fields around a configuration. Built with [`Envelope::new`] and the
/// setters below, which mirror the optional fields.
pub(super) struct Envelope<'a> {
    id: &'a str,
    resource_type: &'static str,
    /// Region name, or `global`.
    region: &'a str,
    name: &'a str,
    resource_group: String,
    /// Zonal types only.
    zone: Option<&'a str>,
    vpc: Option<&'a str>,
    vswitch: Option<&'a str>,
    created_ms: i64,
    tags: Tags,
}

impl<'a> Envelope<'a> {
    /// A resource outside any zone or network, with no group or tags yet.
    pub(super) fn new(
        resource_type: &'static str,
        id: &'a str,
        region: &'a str,
        name: &'a str,
        created_ms: i64,
    ) -> Self {
        Self {
            id,
            resource_type,
            region,
            name,
            resource_group: String::new(),
            zone: None,
            vpc: None,
            vswitch: None,
            created_ms,
            tags: Tags::NONE,
        }
    }

    /// In availability zone `zone`.
    pub(super) fn zone(self, zone: &'a str) -> Self {
        Self { zone: Some(zone), ..self }
    }

    /// In VPC `vpc`.
    pub(super) fn vpc(self, vpc: &'a str) -> Self {
        Self { vpc: Some(vpc), ..self }
    }

    /// In vSwitch `vswitch`, and so in its zone `zone` and its VPC `vpc`.
    pub(super) fn vswitch(self, zone: &'a str, vpc: &'a str, vswitch: &'a str) -> Self {
        Self { zone: Some(zone), vpc: Some(vpc), vswitch: Some(vswitch), ..self }
    }

    /// In resource group `group`.
    pub(super) fn group(self, group: String) -> Self {
        Self { resource_group: group, ..self }
    }

    /// In a resource group drawn from the run, untagged (identity resources).
    pub(super) fn grouped(self, run: &mut Run) -> Self {
        self.group(run.resource_group())
    }

    /// In a resource group drawn from the run, then tagged for `app`. The group is drawn
    /// before the tags, always: the order of draws is part of what a seed reproduces.
    pub(super) fn placed(self, run: &mut Run, app: &'static str) -> Self {
        let grouped = self.grouped(run);
        Self { tags: run.tags(app), ..grouped }
    }

    /// Emits the item: the envelope fields, then `Configuration`, whose members
    /// `configuration` emits.
    pub(super) fn emit<E: Emit>(&self, e: &mut E, configuration: impl FnOnce(&mut E)) {
        e.object(|e| {
            e.str("ResourceId", self.id);
            e.str("ResourceType", self.resource_type);
            e.str("Region", self.region);
            e.str("ResourceName", self.name);
            e.str("ResourceGroupId", &self.resource_group);
            if let Some(zone) = self.zone {
                e.str("AvailabilityZone", zone);
            }
            if let Some(vpc) = self.vpc {
                e.str("VpcId", vpc);
            }
            if let Some(vswitch) = self.vswitch {
                e.str("VSwitchId", vswitch);
            }
            e.num("ResourceCreationTime", self.created_ms);
            e.key("Tags");
            self.tags.envelope(e);
            e.obj("Configuration", configuration);
        });
    }

    /// As [`Envelope::emit`], for APIs whose configuration ends with its own
    /// `ResourceGroupId` and `Tags` (in `spelling`), as the ECS, VPC, SLB and database
    /// APIs report them.
    pub(super) fn emit_tagged<E: Emit>(&self, e: &mut E, spelling: TagSpelling, configuration: impl FnOnce(&mut E)) {
        self.emit(e, |e| {
            configuration(e);
            e.str("ResourceGroupId", &self.resource_group);
            e.key("Tags");
            self.tags.configuration(e, spelling);
        });
    }
}
