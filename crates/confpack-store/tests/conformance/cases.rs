//! The conformance cases, written once against `&dyn Store`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use confpack_model::{AccessKeyId, AccountId, AccountStatus, KeyStatus};
use confpack_store::{Store, StoreError};

/// Opens a second handle on the same database, as another process would.
pub type Reopen<'a> = dyn Fn() -> Pin<Box<dyn Future<Output = Arc<dyn Store>> + 'a>> + 'a;

const NOW: i64 = 1_764_000_000_000;

pub async fn accounts_are_created_with_one_active_key(store: &dyn Store, _: &Reopen<'_>) {
    let (account, key) = store.create_account("team-a", NOW).await.expect("create");
    assert_eq!(account.name, "team-a");
    assert_eq!(account.status, AccountStatus::Enabled);
    assert_eq!(account.created_ms, NOW);
    assert_eq!(key.account_id, account.id);
    assert_eq!(key.status, KeyStatus::Active);
    assert_eq!(store.get_account(account.id).await.expect("get"), Some(account.clone()));
    let listed = store.list_accounts().await.expect("list");
    assert!(listed.contains(&account));
    let keys = store.list_access_keys(account.id).await.expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].id, key.id);
}

pub async fn keys_are_found_with_their_account_status(store: &dyn Store, _: &Reopen<'_>) {
    let (account, key) = store.create_account("team-b", NOW).await.expect("create");
    let (found, status) = store.find_access_key(&key.id).await.expect("find").expect("present");
    assert_eq!(found.id, key.id);
    assert_eq!(found.account_id, account.id);
    assert_eq!(found.secret.expose(), key.secret.expose());
    assert_eq!(status, AccountStatus::Enabled);
    assert!(store.find_access_key(&AccessKeyId::new("LTAInope")).await.expect("find").is_none());
}

pub async fn accounts_can_be_disabled_and_enabled(store: &dyn Store, _: &Reopen<'_>) {
    let (account, key) = store.create_account("team-c", NOW).await.expect("create");
    store.set_account_status(account.id, AccountStatus::Disabled).await.expect("disable");
    let (_, status) = store.find_access_key(&key.id).await.expect("find").expect("present");
    assert_eq!(status, AccountStatus::Disabled);
    assert_eq!(store.get_account(account.id).await.expect("get").map(|a| a.status), Some(AccountStatus::Disabled));
    store.set_account_status(account.id, AccountStatus::Enabled).await.expect("enable");
    let (_, status) = store.find_access_key(&key.id).await.expect("find").expect("present");
    assert_eq!(status, AccountStatus::Enabled);
}

pub async fn keys_can_be_added_listed_disabled_and_deleted(store: &dyn Store, _: &Reopen<'_>) {
    let (account, first) = store.create_account("team-d", NOW).await.expect("create");
    let second = store.create_access_key(account.id, NOW + 1).await.expect("second key");
    assert_ne!(first.id, second.id);
    let ids: Vec<_> = store.list_access_keys(account.id).await.expect("list").into_iter().map(|k| k.id).collect();
    assert_eq!(ids, vec![first.id.clone(), second.id.clone()]);

    store.set_access_key_status(&second.id, KeyStatus::Inactive).await.expect("disable");
    let (found, _) = store.find_access_key(&second.id).await.expect("find").expect("present");
    assert_eq!(found.status, KeyStatus::Inactive);

    store.delete_access_key(&second.id).await.expect("delete");
    assert!(store.find_access_key(&second.id).await.expect("find").is_none());
    assert!(store.find_access_key(&first.id).await.expect("find").is_some());
}

pub async fn unknown_objects_are_not_found(store: &dyn Store, _: &Reopen<'_>) {
    let nobody = AccountId::new(1);
    assert!(store.get_account(nobody).await.expect("get").is_none());
    assert!(matches!(store.set_account_status(nobody, AccountStatus::Disabled).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.create_access_key(nobody, NOW).await, Err(StoreError::NotFound(_))));
    let ghost = AccessKeyId::new("LTAIghost");
    assert!(matches!(store.delete_access_key(&ghost).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.set_access_key_status(&ghost, KeyStatus::Inactive).await, Err(StoreError::NotFound(_))));
}

pub async fn packs_round_trip_per_account_with_unique_names(store: &dyn Store, _: &Reopen<'_>) {
    let (a, _) = store.create_account("team-e", NOW).await.expect("create");
    let (b, _) = store.create_account("team-f", NOW).await.expect("create");
    let pack = |account, id: &str, name: &str| confpack_model::CompliancePack {
        account_id: account,
        pack_id: id.into(),
        name: name.into(),
        description: String::new(),
        risk_level: 2,
        template_id: String::new(),
        status: "ACTIVE".into(),
        scope: confpack_model::RuleScope::default(),
        tags: Vec::new(),
        created_ms: NOW,
        unimplemented_rules: Vec::new(),
    };
    let mine = pack(a.id, "cp-1", "baseline");
    store.create_pack(&mine).await.expect("create pack");
    store.create_pack(&pack(b.id, "cp-2", "baseline")).await.expect("names are per account");
    let clash = store.create_pack(&pack(a.id, "cp-3", "baseline")).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    assert_eq!(store.get_pack(a.id, "cp-1").await.expect("get"), Some(mine.clone()));
    assert!(store.compliance_pack_exists(a.id, "cp-1").await.expect("lookup"));
    assert!(!store.compliance_pack_exists(b.id, "cp-1").await.expect("lookup"), "other account");
    assert!(store.get_pack(b.id, "cp-1").await.expect("get").is_none());
    let mut renamed = mine.clone();
    renamed.name = "renamed".into();
    store.update_pack(&renamed).await.expect("update");
    assert_eq!(store.list_packs(a.id).await.expect("list"), vec![renamed]);
    assert!(matches!(store.delete_pack(b.id, "cp-1").await, Err(StoreError::NotFound(_))));
    store.delete_pack(a.id, "cp-1").await.expect("delete");
    assert!(!store.compliance_pack_exists(a.id, "cp-1").await.expect("lookup"));
}

pub async fn data_survives_reopening(store: &dyn Store, reopen: &Reopen<'_>) {
    let (account, key) = store.create_account("team-g", NOW).await.expect("create");
    let other = reopen().await;
    assert_eq!(other.get_account(account.id).await.expect("get").map(|a| a.name), Some("team-g".to_owned()));
    assert!(other.find_access_key(&key.id).await.expect("find").is_some());
    other.ping().await.expect("ping");
}

pub async fn concurrent_writers_do_not_conflict(store: &dyn Store, reopen: &Reopen<'_>) {
    let other = reopen().await;
    let other = other.as_ref();
    let creating = (0..20).map(|i| {
        let name = format!("parallel-{i}");
        async move {
            if i % 2 == 0 { store.create_account(&name, NOW).await } else { other.create_account(&name, NOW).await }
        }
    });
    let results = futures_util::future::join_all(creating).await;
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().filter(|r| r.is_err()).collect::<Vec<_>>().len());
    let names: Vec<String> = store.list_accounts().await.expect("list").into_iter().map(|a| a.name).collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("parallel-")).count(), 20);
}
