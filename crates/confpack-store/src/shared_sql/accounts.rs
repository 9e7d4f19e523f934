//! Account and AccessKey queries, identical on both backends.

/// Implements [`crate::AccountStore`] for a backend struct with a `pool` field, from SQL
/// that both SQLite and PostgreSQL accept. `$extra` holds the backend's own methods.
macro_rules! portable_account_store {
    ($store:ty, $backend:literal, { $($extra:tt)* }) => {
        #[async_trait::async_trait]
        impl $crate::AccountStore for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn ping(&self) -> $crate::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_account(
                &self,
                name: &str,
                now_ms: i64,
            ) -> $crate::StoreResult<(confpack_model::Account, confpack_model::AccessKey)> {
                let account = confpack_model::Account {
                    id: confpack_model::AccountId::generate(),
                    name: name.to_owned(),
                    status: confpack_model::AccountStatus::Enabled,
                    created_ms: now_ms,
                };
                let key = confpack_model::AccessKey {
                    id: confpack_model::AccessKeyId::generate(),
                    secret: confpack_model::AccessKeySecret::generate(),
                    account_id: account.id,
                    status: confpack_model::KeyStatus::Active,
                    created_ms: now_ms,
                };
                let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                sqlx::query("INSERT INTO accounts (account_id, name, status, created_ms) VALUES ($1, $2, $3, $4)")
                    .bind(account.id.get())
                    .bind(&account.name)
                    .bind(account.status.as_str())
                    .bind(account.created_ms)
                    .execute(&mut *tx)
                    .await?;
                insert_key(&mut *tx, &key).await?;
                tx.commit().await?;
                Ok((account, key))
            }

            async fn list_accounts(&self) -> $crate::StoreResult<Vec<confpack_model::Account>> {
                let rows = sqlx::query("SELECT account_id, name, status, created_ms FROM accounts ORDER BY created_ms, account_id")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map($crate::shared_sql::account_from_row).collect()
            }

            async fn get_account(
                &self,
                id: confpack_model::AccountId,
            ) -> $crate::StoreResult<Option<confpack_model::Account>> {
                let row = sqlx::query("SELECT account_id, name, status, created_ms FROM accounts WHERE account_id = $1")
                    .bind(id.get())
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map($crate::shared_sql::account_from_row).transpose()
            }

            async fn set_account_status(
                &self,
                id: confpack_model::AccountId,
                status: confpack_model::AccountStatus,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query("UPDATE accounts SET status = $1 WHERE account_id = $2")
                    .bind(status.as_str())
                    .bind(id.get())
                    .execute(&self.pool)
                    .await?;
                $crate::shared_sql::found_one(done.rows_affected(), || format!("account {id}"))
            }

            async fn create_access_key(
                &self,
                account: confpack_model::AccountId,
                now_ms: i64,
            ) -> $crate::StoreResult<confpack_model::AccessKey> {
                if self.get_account(account).await?.is_none() {
                    return Err($crate::StoreError::NotFound(format!("account {account}")));
                }
                let key = confpack_model::AccessKey {
                    id: confpack_model::AccessKeyId::generate(),
                    secret: confpack_model::AccessKeySecret::generate(),
                    account_id: account,
                    status: confpack_model::KeyStatus::Active,
                    created_ms: now_ms,
                };
                insert_key(&self.pool, &key).await?;
                Ok(key)
            }

            async fn delete_access_key(&self, id: &confpack_model::AccessKeyId) -> $crate::StoreResult<()> {
                let done = sqlx::query("DELETE FROM access_keys WHERE key_id = $1")
                    .bind(id.as_str())
                    .execute(&self.pool)
                    .await?;
                $crate::shared_sql::found_one(done.rows_affected(), || format!("access key {id}"))
            }

            async fn set_access_key_status(
                &self,
                id: &confpack_model::AccessKeyId,
                status: confpack_model::KeyStatus,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query("UPDATE access_keys SET status = $1 WHERE key_id = $2")
                    .bind(status.as_str())
                    .bind(id.as_str())
                    .execute(&self.pool)
                    .await?;
                $crate::shared_sql::found_one(done.rows_affected(), || format!("access key {id}"))
            }

            async fn list_access_keys(
                &self,
                account: confpack_model::AccountId,
            ) -> $crate::StoreResult<Vec<confpack_model::AccessKey>> {
                let rows = sqlx::query("SELECT key_id, secret, account_id, status, created_ms FROM access_keys WHERE account_id = $1 ORDER BY created_ms, key_id")
                    .bind(account.get())
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map($crate::shared_sql::key_from_row).collect()
            }

            async fn find_access_key(
                &self,
                id: &confpack_model::AccessKeyId,
            ) -> $crate::StoreResult<Option<(confpack_model::AccessKey, confpack_model::AccountStatus)>> {
                let row = sqlx::query(
                    "SELECT k.key_id, k.secret, k.account_id, k.status, k.created_ms, a.status AS account_status \
                     FROM access_keys k JOIN accounts a ON a.account_id = k.account_id WHERE k.key_id = $1",
                )
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let key = $crate::shared_sql::key_from_row(&row)?;
                let status: String = sqlx::Row::try_get(&row, "account_status")?;
                Ok(Some((key, confpack_model::AccountStatus::from_stored(&status))))
            }

            async fn compliance_pack_exists(
                &self,
                account: confpack_model::AccountId,
                pack_id: &str,
            ) -> $crate::StoreResult<bool> {
                let row = sqlx::query("SELECT 1 FROM compliance_packs WHERE account_id = $1 AND pack_id = $2")
                    .bind(account.get())
                    .bind(pack_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.is_some())
            }

            $($extra)*
        }

        async fn insert_key<'e, E>(executor: E, key: &confpack_model::AccessKey) -> $crate::StoreResult<()>
        where
            E: sqlx::Executor<'e, Database = <$store as $crate::shared_sql::Backend>::Database>,
        {
            sqlx::query("INSERT INTO access_keys (key_id, account_id, secret, status, created_ms) VALUES ($1, $2, $3, $4, $5)")
                .bind(key.id.as_str())
                .bind(key.account_id.get())
                .bind(key.secret.expose())
                .bind(key.status.as_str())
                .bind(key.created_ms)
                .execute(executor)
                .await?;
            Ok(())
        }
    };
}

pub(crate) use portable_account_store;
