//! Inventory queries, identical on both backends. Writes happen in one transaction per
//! batch; a first capture's diff is left NULL and written out only when the next version
//! arrives, which halves what an initial import writes.

use confpack_model::{ResourceEventType, ResourceRecord, ResourceVersion, StoredResource, Tags};
use serde_json::Value;
use sqlx::Row;

use crate::{StoreError, StoreResult};

/// Columns of `resources` that `resource_from_row` reads, configuration excluded.
pub(crate) const RESOURCE_COLUMNS: &str = "resource_type, resource_id, region, resource_name, resource_group_id, availability_zone, \
     resource_creation_time, resource_status, vpc_id, vswitch_id, tags, custom_type, deleted, version, update_time";

/// Columns of `resource_versions` that `version_from_row` reads.
pub(crate) const VERSION_COLUMNS: &str = "version, capture_time, event_type, configuration_diff, region, resource_name, availability_zone, resource_creation_time, tags";

fn parse_json(text: &str, what: &str) -> StoreResult<Value> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(format!("stored {what} is not JSON: {e}")))
}

fn parse_tags(text: &str) -> StoreResult<Tags> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(format!("stored tags are not a tag map: {e}")))
}

/// Decodes a `resources` row; `configuration` is parsed when the row carries it.
pub(crate) fn resource_from_row<R: Row>(row: &R, configuration: Option<&str>) -> StoreResult<StoredResource>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    let record = ResourceRecord {
        resource_type: row.try_get("resource_type")?,
        resource_id: row.try_get("resource_id")?,
        region: row.try_get("region")?,
        resource_name: row.try_get("resource_name")?,
        resource_group_id: row.try_get("resource_group_id")?,
        availability_zone: row.try_get("availability_zone")?,
        resource_creation_time: row.try_get("resource_creation_time")?,
        resource_status: row.try_get("resource_status")?,
        vpc_id: row.try_get("vpc_id")?,
        vswitch_id: row.try_get("vswitch_id")?,
        tags: parse_tags(&row.try_get::<String, _>("tags")?)?,
        configuration: configuration.map(|text| parse_json(text, "configuration")).transpose()?.unwrap_or(Value::Null),
        custom_type: row.try_get::<i64, _>("custom_type")? != 0,
    };
    Ok(StoredResource {
        record,
        deleted: row.try_get::<i64, _>("deleted")? != 0,
        version: row.try_get("version")?,
        update_time: row.try_get("update_time")?,
    })
}

/// Decodes a `resource_versions` row; a NULL diff is filled from `first_capture`.
pub(crate) fn version_from_row<R: Row>(row: &R, first_capture: Option<&Value>) -> StoreResult<ResourceVersion>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    let diff = match row.try_get::<Option<String>, _>("configuration_diff")? {
        Some(text) => parse_json(&text, "configuration diff")?,
        None => confpack_model::resource::configuration_diff(None, first_capture.unwrap_or(&Value::Null)),
    };
    Ok(ResourceVersion {
        version: row.try_get("version")?,
        capture_time: row.try_get("capture_time")?,
        event_type: ResourceEventType::from_stored(&row.try_get::<String, _>("event_type")?),
        configuration_diff: diff,
        region: row.try_get("region")?,
        resource_name: row.try_get("resource_name")?,
        availability_zone: row.try_get("availability_zone")?,
        resource_creation_time: row.try_get("resource_creation_time")?,
        tags: parse_tags(&row.try_get::<String, _>("tags")?)?,
    })
}

/// Implements [`crate::ResourceStore`] for a backend struct with a `pool` field.
macro_rules! portable_resource_store {
    ($store:ty) => {
        mod resource_store_impl {
            use std::collections::HashMap;

            use confpack_model::{AccountId, ConfigurationChanged, PreparedResource, PutOutcome, ResourceEventType, ResourceVersion, StoredResource};
            use serde_json::Value;
            use sqlx::{QueryBuilder, Row};

            use super::*;
            use $crate::shared_sql::resources::{RESOURCE_COLUMNS, VERSION_COLUMNS, resource_from_row, version_from_row};
            use $crate::{CountGroup, ResourcePage, ResourceQuery, StoreError, StoreResult, TimelineQuery};

            type Db = <$store as $crate::shared_sql::Backend>::Database;
            type Tx<'a> = sqlx::Transaction<'a, Db>;

            /// How many ids one `IN (…)` list carries.
            const LOOKUP_CHUNK: usize = 500;

            /// `(content_hash, version, deleted)` of the stored resources among `ids`.
            /// `(content_hash, version, deleted)` of the stored resources among `keys`
            /// (`(type, id)` pairs), in one query per chunk whatever the mix of types.
            async fn existing(tx: &mut Tx<'_>, account: AccountId, keys: &[(&str, &str)]) -> StoreResult<HashMap<(String, String), (String, i64, bool)>> {
                let mut found = HashMap::new();
                for chunk in keys.chunks(LOOKUP_CHUNK) {
                    let mut query = QueryBuilder::<Db>::new("SELECT resource_type, resource_id, content_hash, version, deleted FROM resources WHERE account_id = ");
                    query.push_bind(account.get()).push(" AND (resource_type, resource_id) IN (VALUES ");
                    let mut list = query.separated(", ");
                    for (resource_type, id) in chunk {
                        list.push("(").push_bind_unseparated(*resource_type).push_unseparated(", ").push_bind_unseparated(*id).push_unseparated(")");
                    }
                    query.push(")");
                    for row in query.build().fetch_all(&mut **tx).await? {
                        let deleted: i64 = row.try_get("deleted")?;
                        let key = (row.try_get("resource_type")?, row.try_get("resource_id")?);
                        found.insert(key, (row.try_get("content_hash")?, row.try_get("version")?, deleted != 0));
                    }
                }
                Ok(found)
            }

            async fn current_configuration(tx: &mut Tx<'_>, account: AccountId, resource_type: &str, resource_id: &str) -> StoreResult<Value> {
                let row = sqlx::query("SELECT configuration FROM resources WHERE account_id = $1 AND resource_type = $2 AND resource_id = $3")
                    .bind(account.get()).bind(resource_type).bind(resource_id)
                    .fetch_one(&mut **tx).await?;
                serde_json::from_str(&row.try_get::<String, _>("configuration")?)
                    .map_err(|e| StoreError::Internal(format!("stored configuration is not JSON: {e}")))
            }

            /// Writes out a first capture's diff before the resource moves past version 1.
            async fn settle_first_capture(tx: &mut Tx<'_>, account: AccountId, resource_type: &str, resource_id: &str, old: &Value) -> StoreResult<()> {
                let diff = confpack_model::resource::configuration_diff(None, old).to_string();
                sqlx::query("UPDATE resource_versions SET configuration_diff = $1 WHERE account_id = $2 AND resource_type = $3 AND resource_id = $4 AND version = 1 AND configuration_diff IS NULL")
                    .bind(diff).bind(account.get()).bind(resource_type).bind(resource_id)
                    .execute(&mut **tx).await?;
                Ok(())
            }

            #[allow(clippy::too_many_arguments)]
            async fn insert_version(tx: &mut Tx<'_>, account: AccountId, item: &PreparedResource, version: i64, now_ms: i64, event: ResourceEventType, diff: Option<String>) -> StoreResult<()> {
                let r = &item.record;
                sqlx::query("INSERT INTO resource_versions (account_id, resource_type, resource_id, version, capture_time, event_type, configuration_diff, region, resource_name, availability_zone, resource_creation_time, tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(account.get()).bind(&r.resource_type).bind(&r.resource_id).bind(version).bind(now_ms)
                    .bind(event.as_str()).bind(diff).bind(&r.region).bind(&r.resource_name).bind(&r.availability_zone)
                    .bind(r.resource_creation_time).bind(&item.tags_json)
                    .execute(&mut **tx).await?;
                Ok(())
            }

            async fn upsert_resource(tx: &mut Tx<'_>, account: AccountId, item: &PreparedResource, version: i64, now_ms: i64) -> StoreResult<()> {
                let r = &item.record;
                sqlx::query("INSERT INTO resources (account_id, resource_type, resource_id, region, resource_name, resource_group_id, availability_zone, resource_creation_time, resource_status, vpc_id, vswitch_id, tags, configuration, custom_type, content_hash, deleted, version, update_time) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $17) \
                             ON CONFLICT (account_id, resource_type, resource_id) DO UPDATE SET region = excluded.region, resource_name = excluded.resource_name, \
                             resource_group_id = excluded.resource_group_id, availability_zone = excluded.availability_zone, resource_creation_time = excluded.resource_creation_time, \
                             resource_status = excluded.resource_status, vpc_id = excluded.vpc_id, vswitch_id = excluded.vswitch_id, tags = excluded.tags, \
                             configuration = excluded.configuration, custom_type = excluded.custom_type, content_hash = excluded.content_hash, deleted = 0, \
                             version = excluded.version, update_time = excluded.update_time")
                    .bind(account.get()).bind(&r.resource_type).bind(&r.resource_id).bind(&r.region).bind(&r.resource_name)
                    .bind(&r.resource_group_id).bind(&r.availability_zone).bind(r.resource_creation_time).bind(&r.resource_status)
                    .bind(&r.vpc_id).bind(&r.vswitch_id).bind(&item.tags_json).bind(&item.configuration_json)
                    .bind(i64::from(r.custom_type)).bind(&item.content_hash).bind(version).bind(now_ms)
                    .execute(&mut **tx).await?;
                Ok(())
            }

            /// Ids per `IN (…)` list of `get_resources`, well under both backends' limits on
            /// bind parameters.
            const IDS_PER_QUERY: usize = 500;

            /// Rows per multi-row INSERT: 18 columns × 500 stays under SQLite's and
            /// PostgreSQL's bind-parameter limits.
            const INSERT_CHUNK: usize = 500;

            /// Inserts first captures with multi-row statements: an initial import is almost
            /// all of these, and one statement per row would dominate its time.
            async fn insert_new(tx: &mut Tx<'_>, account: AccountId, items: &[&PreparedResource], now_ms: i64) -> StoreResult<()> {
                for chunk in items.chunks(INSERT_CHUNK) {
                    let mut resources = QueryBuilder::<Db>::new("INSERT INTO resources (account_id, resource_type, resource_id, region, resource_name, resource_group_id, availability_zone, resource_creation_time, resource_status, vpc_id, vswitch_id, tags, configuration, custom_type, content_hash, deleted, version, update_time) ");
                    resources.push_values(chunk.iter(), |mut row, item| {
                        let r = &item.record;
                        row.push_bind(account.get()).push_bind(r.resource_type.as_str()).push_bind(r.resource_id.as_str())
                            .push_bind(r.region.as_str()).push_bind(r.resource_name.as_str()).push_bind(r.resource_group_id.as_str())
                            .push_bind(r.availability_zone.as_str()).push_bind(r.resource_creation_time).push_bind(r.resource_status.as_str())
                            .push_bind(r.vpc_id.as_str()).push_bind(r.vswitch_id.as_str()).push_bind(item.tags_json.as_str())
                            .push_bind(item.configuration_json.as_str()).push_bind(i64::from(r.custom_type)).push_bind(item.content_hash.as_str())
                            .push_bind(0_i64).push_bind(1_i64).push_bind(now_ms);
                    });
                    resources.build().execute(&mut **tx).await?;
                    let mut versions = QueryBuilder::<Db>::new("INSERT INTO resource_versions (account_id, resource_type, resource_id, version, capture_time, event_type, configuration_diff, region, resource_name, availability_zone, resource_creation_time, tags) ");
                    versions.push_values(chunk.iter(), |mut row, item| {
                        let r = &item.record;
                        row.push_bind(account.get()).push_bind(r.resource_type.as_str()).push_bind(r.resource_id.as_str())
                            .push_bind(1_i64).push_bind(now_ms).push_bind(ResourceEventType::Discovered.as_str()).push_bind(None::<String>)
                            .push_bind(r.region.as_str()).push_bind(r.resource_name.as_str()).push_bind(r.availability_zone.as_str())
                            .push_bind(r.resource_creation_time).push_bind(item.tags_json.as_str());
                    });
                    versions.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            #[async_trait::async_trait]
            impl $crate::ResourceStore for $store {
                async fn put_resources(&self, account: AccountId, items: &[PreparedResource], now_ms: i64) -> StoreResult<Vec<(PutOutcome, i64)>> {
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    let keys: Vec<(&str, &str)> = items.iter().map(|i| (i.record.resource_type.as_str(), i.record.resource_id.as_str())).collect();
                    let mut known = existing(&mut tx, account, &keys).await?;
                    let mut outcomes = Vec::with_capacity(items.len());
                    let mut created: Vec<&PreparedResource> = Vec::new();
                    for item in items {
                        let r = &item.record;
                        let key = (r.resource_type.clone(), r.resource_id.clone());
                        let outcome = match known.get(&key) {
                            None => {
                                created.push(item);
                                (PutOutcome::Created, 1)
                            }
                            Some((hash, version, false)) if *hash == item.content_hash => (PutOutcome::Unchanged, *version),
                            Some((_, version, _)) => {
                                // A change may concern a resource created earlier in this batch.
                                insert_new(&mut tx, account, &created, now_ms).await?;
                                created.clear();
                                let old = current_configuration(&mut tx, account, &r.resource_type, &r.resource_id).await?;
                                if *version == 1 {
                                    settle_first_capture(&mut tx, account, &r.resource_type, &r.resource_id, &old).await?;
                                }
                                let new: Value = serde_json::from_str(&item.configuration_json)
                                    .map_err(|e| StoreError::Internal(format!("prepared configuration is not JSON: {e}")))?;
                                let diff = confpack_model::resource::configuration_diff(Some(&old), &new).to_string();
                                let next = version + 1;
                                upsert_resource(&mut tx, account, item, next, now_ms).await?;
                                insert_version(&mut tx, account, item, next, now_ms, ResourceEventType::Modify, Some(diff)).await?;
                                (PutOutcome::Changed, next)
                            }
                        };
                        known.insert(key, (item.content_hash.clone(), outcome.1, false));
                        outcomes.push(outcome);
                    }
                    insert_new(&mut tx, account, &created, now_ms).await?;
                    tx.commit().await?;
                    Ok(outcomes)
                }

                async fn delete_resources(&self, account: AccountId, resource_type: &str, ids: &[String], now_ms: i64) -> StoreResult<u64> {
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                    let keys: Vec<(&str, &str)> = id_refs.iter().map(|id| (resource_type, *id)).collect();
                    let found: HashMap<String, (String, i64, bool)> =
                        existing(&mut tx, account, &keys).await?.into_iter().map(|((_, id), state)| (id, state)).collect();
                    let missing: Vec<&str> = id_refs.iter().copied().filter(|id| !found.contains_key(*id)).collect();
                    if !missing.is_empty() {
                        return Err(StoreError::NotFound(format!("resources of type {resource_type}: {}", missing.join(", "))));
                    }
                    let mut deleted = 0;
                    let mut done = std::collections::HashSet::new();
                    for id in id_refs {
                        let (_, version, already) = &found[id];
                        if *already || !done.insert(id) {
                            continue;
                        }
                        let old = current_configuration(&mut tx, account, resource_type, id).await?;
                        if *version == 1 {
                            settle_first_capture(&mut tx, account, resource_type, id, &old).await?;
                        }
                        let next = version + 1;
                        sqlx::query("UPDATE resources SET deleted = 1, version = $1, update_time = $2 WHERE account_id = $3 AND resource_type = $4 AND resource_id = $5")
                            .bind(next).bind(now_ms).bind(account.get()).bind(resource_type).bind(id)
                            .execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO resource_versions (account_id, resource_type, resource_id, version, capture_time, event_type, configuration_diff, region, resource_name, availability_zone, resource_creation_time, tags) \
                                     SELECT account_id, resource_type, resource_id, $1, $2, $3, '{}', region, resource_name, availability_zone, resource_creation_time, tags \
                                     FROM resources WHERE account_id = $4 AND resource_type = $5 AND resource_id = $6")
                            .bind(next).bind(now_ms).bind(ResourceEventType::Remove.as_str()).bind(account.get()).bind(resource_type).bind(id)
                            .execute(&mut *tx).await?;
                        deleted += 1;
                    }
                    tx.commit().await?;
                    Ok(deleted)
                }

                async fn get_resource(&self, account: AccountId, resource_type: &str, resource_id: &str) -> StoreResult<Option<StoredResource>> {
                    let sql = format!("SELECT {RESOURCE_COLUMNS}, configuration FROM resources WHERE account_id = $1 AND resource_type = $2 AND resource_id = $3");
                    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.get()).bind(resource_type).bind(resource_id).fetch_optional(&self.pool).await?;
                    let Some(row) = row else { return Ok(None) };
                    let configuration: String = row.try_get("configuration")?;
                    resource_from_row(&row, Some(&configuration)).map(Some)
                }

                async fn get_resources(&self, account: AccountId, resource_type: &str, resource_ids: &[String]) -> StoreResult<Vec<StoredResource>> {
                    let mut found = Vec::with_capacity(resource_ids.len());
                    for chunk in resource_ids.chunks(IDS_PER_QUERY) {
                        let mut q = QueryBuilder::<Db>::new(format!("SELECT {RESOURCE_COLUMNS}, configuration FROM resources WHERE account_id = "));
                        q.push_bind(account.get()).push(" AND resource_type = ").push_bind(resource_type).push(" AND resource_id IN ");
                        $crate::shared_sql::push_list(&mut q, chunk.iter().map(String::as_str));
                        for row in q.build().fetch_all(&self.pool).await? {
                            let configuration: String = row.try_get("configuration")?;
                            found.push(resource_from_row(&row, Some(&configuration))?);
                        }
                    }
                    Ok(found)
                }

                async fn list_resources(&self, account: AccountId, query: &ResourceQuery) -> StoreResult<ResourcePage> {
                    fn filters(builder: &mut QueryBuilder<Db>, account: AccountId, query: &ResourceQuery) {
                        builder.push(" WHERE account_id = ").push_bind(account.get());
                        builder.push(" AND deleted = ").push_bind(i64::from(query.deleted));
                        for (column, values, negate) in [("resource_type", &query.resource_types, false), ("region", &query.regions, false), ("resource_type", &query.exclude_resource_types, true)] {
                            if values.is_empty() {
                                continue;
                            }
                            builder.push(format_args!(" AND {column} {}IN ", if negate { "NOT " } else { "" }));
                            $crate::shared_sql::push_list(builder, values.iter().map(String::as_str));
                        }
                        if let Some(id) = &query.resource_id {
                            builder.push(" AND resource_id = ").push_bind(id.as_str());
                        }
                        if let Some(name) = &query.resource_name {
                            builder.push(" AND resource_name = ").push_bind(name.as_str());
                        }
                        if let Some((start, end)) = query.update_time {
                            builder.push(" AND update_time >= ").push_bind(start).push(" AND update_time <= ").push_bind(end);
                        }
                    }
                    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n FROM resources");
                    filters(&mut count, account, query);
                    let total: i64 = count.build().fetch_one(&self.pool).await?.try_get("n")?;

                    let mut page = QueryBuilder::<Db>::new(format!("SELECT {RESOURCE_COLUMNS} FROM resources"));
                    filters(&mut page, account, query);
                    if let Some((after_type, after_id)) = &query.after {
                        page.push(" AND (resource_type > ").push_bind(after_type.as_str())
                            .push(" OR (resource_type = ").push_bind(after_type.as_str())
                            .push(" AND resource_id > ").push_bind(after_id.as_str()).push("))");
                    }
                    page.push(" ORDER BY resource_type, resource_id LIMIT ").push_bind(i64::from(query.limit) + 1);
                    let rows = page.build().fetch_all(&self.pool).await?;
                    let mut items = rows.iter().map(|row| resource_from_row(row, None)).collect::<StoreResult<Vec<_>>>()?;
                    let next = if items.len() > query.limit as usize {
                        items.truncate(query.limit as usize);
                        items.last().map(|r| (r.record.resource_type.clone(), r.record.resource_id.clone()))
                    } else {
                        None
                    };
                    Ok(ResourcePage { items, total, next })
                }

                async fn resource_timeline(&self, account: AccountId, resource_type: &str, resource_id: &str, query: &TimelineQuery) -> StoreResult<Vec<ResourceVersion>> {
                    let mut page = QueryBuilder::<Db>::new(format!("SELECT {VERSION_COLUMNS} FROM resource_versions WHERE account_id = "));
                    page.push_bind(account.get()).push(" AND resource_type = ").push_bind(resource_type)
                        .push(" AND resource_id = ").push_bind(resource_id)
                        .push(" AND capture_time >= ").push_bind(query.start_ms).push(" AND capture_time <= ").push_bind(query.end_ms);
                    if let Some(before) = query.before_version {
                        page.push(" AND version < ").push_bind(before);
                    }
                    page.push(" ORDER BY version DESC LIMIT ").push_bind(i64::from(query.limit));
                    let rows = page.build().fetch_all(&self.pool).await?;
                    let needs_current = rows.iter().any(|row| matches!(row.try_get::<Option<String>, _>("configuration_diff"), Ok(None)));
                    let current = if needs_current {
                        self.get_resource(account, resource_type, resource_id).await?.map(|r| r.record.configuration)
                    } else {
                        None
                    };
                    rows.iter().map(|row| version_from_row(row, current.as_ref())).collect()
                }

                async fn count_resources(&self, account: AccountId, group: &CountGroup) -> StoreResult<Vec<(String, i64)>> {
                    let (column, filter_column, filter) = match group {
                        CountGroup::ByRegion { resource_type } => ("region", "resource_type", resource_type),
                        CountGroup::ByType { region } => ("resource_type", "region", region),
                    };
                    let mut query = QueryBuilder::<Db>::new(format!("SELECT {column} AS grp, COUNT(*) AS n FROM resources WHERE account_id = "));
                    query.push_bind(account.get()).push(" AND deleted = 0");
                    if let Some(value) = filter {
                        query.push(format_args!(" AND {filter_column} = ")).push_bind(value.as_str());
                    }
                    query.push(format_args!(" GROUP BY {column} ORDER BY {column}"));
                    let rows = query.build().fetch_all(&self.pool).await?;
                    rows.iter().map(|row| Ok((row.try_get("grp")?, row.try_get("n")?))).collect()
                }

                async fn changes_since(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<(i64, ConfigurationChanged)>> {
                    let rows = sqlx::query("SELECT seq, account_id, resource_type, resource_id, version, event_type FROM resource_versions WHERE seq > $1 ORDER BY seq LIMIT $2")
                        .bind(after_seq).bind(i64::from(limit)).fetch_all(&self.pool).await?;
                    rows.iter()
                        .map(|row| {
                            Ok((row.try_get("seq")?, ConfigurationChanged {
                                account_id: AccountId::new(row.try_get("account_id")?),
                                resource_type: row.try_get("resource_type")?,
                                resource_id: row.try_get("resource_id")?,
                                version: row.try_get("version")?,
                                event_type: ResourceEventType::from_stored(&row.try_get::<String, _>("event_type")?),
                            }))
                        })
                        .collect()
                }

                async fn scan_resources(&self, account: AccountId, resource_types: &[String], after: Option<(String, String)>, limit: u32) -> StoreResult<Vec<StoredResource>> {
                    let mut page = QueryBuilder::<Db>::new(format!("SELECT {RESOURCE_COLUMNS}, configuration FROM resources WHERE deleted = 0 AND account_id = "));
                    page.push_bind(account.get());
                    if !resource_types.is_empty() {
                        page.push(" AND resource_type IN ");
                        $crate::shared_sql::push_list(&mut page, resource_types.iter().map(String::as_str));
                    }
                    if let Some((after_type, after_id)) = &after {
                        page.push(" AND (resource_type > ").push_bind(after_type.as_str())
                            .push(" OR (resource_type = ").push_bind(after_type.as_str())
                            .push(" AND resource_id > ").push_bind(after_id.as_str()).push("))");
                    }
                    page.push(" ORDER BY resource_type, resource_id LIMIT ").push_bind(i64::from(limit));
                    let rows = page.build().fetch_all(&self.pool).await?;
                    rows.iter().map(|row| {
                        let configuration: String = row.try_get("configuration")?;
                        resource_from_row(row, Some(&configuration))
                    }).collect()
                }
            }
        }
    };
}

pub(crate) use portable_resource_store;
