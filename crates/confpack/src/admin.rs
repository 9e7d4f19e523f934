//! Admin commands: accounts, keys, the action list. They open the same store as the
//! server and work while it runs (SQLite in WAL mode, or the shared PostgreSQL).

use std::sync::Arc;

use anyhow::Context;
use confpack_model::{AccessKeyId, AccountId, AccountStatus, KeyStatus};
use confpack_protocol::{ACTIONS, Origin};
use confpack_store::Store;
use serde_json::json;

use crate::args::{AccountsCommand, ActionsArgs, KeysCommand, StoreArgs};
use crate::credentials::key_json;

/// Opens the store named by `args`.
pub async fn open_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn Store>> {
    confpack_store::open(args.database.as_deref(), &args.data_dir).await.context("opening the store")
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn parse_account(id: &str) -> anyhow::Result<AccountId> {
    id.parse().map_err(anyhow::Error::from)
}

/// `confpack accounts …`.
pub async fn accounts(command: AccountsCommand) -> anyhow::Result<()> {
    match command {
        AccountsCommand::Create { name, store } => {
            if name.trim().is_empty() {
                anyhow::bail!("--name must not be empty");
            }
            let (_, key) = open_store(&store).await?.create_account(&name, now_ms()).await?;
            println!("{}", key_json(&key));
        }
        AccountsCommand::List { store } => {
            for account in open_store(&store).await?.list_accounts().await? {
                println!(
                    "{}",
                    json!({"AccountId": account.id.get(), "Name": account.name, "Status": account.status.as_str(), "CreateTimestamp": account.created_ms})
                );
            }
        }
        AccountsCommand::Disable { id, store } => {
            open_store(&store).await?.set_account_status(parse_account(&id)?, AccountStatus::Disabled).await?;
            eprintln!("account {id} disabled");
        }
        AccountsCommand::Enable { id, store } => {
            open_store(&store).await?.set_account_status(parse_account(&id)?, AccountStatus::Enabled).await?;
            eprintln!("account {id} enabled");
        }
    }
    Ok(())
}

/// `confpack keys …`.
pub async fn keys(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create { account, store } => {
            let key = open_store(&store).await?.create_access_key(parse_account(&account)?, now_ms()).await?;
            println!("{}", key_json(&key));
        }
        KeysCommand::Delete { key_id, store } => {
            open_store(&store).await?.delete_access_key(&AccessKeyId::new(&key_id)).await?;
            eprintln!("access key {key_id} deleted");
        }
        KeysCommand::Disable { key_id, store } => {
            open_store(&store).await?.set_access_key_status(&AccessKeyId::new(&key_id), KeyStatus::Inactive).await?;
            eprintln!("access key {key_id} disabled");
        }
        KeysCommand::Enable { key_id, store } => {
            open_store(&store).await?.set_access_key_status(&AccessKeyId::new(&key_id), KeyStatus::Active).await?;
            eprintln!("access key {key_id} enabled");
        }
        KeysCommand::List { account, store } => {
            for key in open_store(&store).await?.list_access_keys(parse_account(&account)?).await? {
                println!(
                    "{}",
                    json!({"AccountId": key.account_id.get(), "AccessKeyId": key.id.as_str(), "Status": key.status.as_str(), "CreateTimestamp": key.created_ms})
                );
            }
        }
    }
    Ok(())
}

/// `confpack actions`: `Name<TAB>supported|not-supported<TAB>vendor|extension`.
pub fn actions(args: &ActionsArgs) -> anyhow::Result<()> {
    let supported = confpack_server::supported_actions();
    let mut count = 0;
    for info in ACTIONS {
        let is_supported = supported.contains(&info.action);
        count += usize::from(is_supported);
        if args.supported {
            if is_supported {
                println!("{}", info.name);
            }
            continue;
        }
        let origin = match info.origin {
            Origin::Vendor => "vendor",
            Origin::Extension => "extension",
        };
        let status = if is_supported { "supported" } else { "not-supported" };
        println!("{}\t{status}\t{origin}", info.name);
    }
    eprintln!("{count} of {} actions supported", ACTIONS.len());
    Ok(())
}
